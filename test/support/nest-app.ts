import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { initExampleApp } from '../../example/create-app.js';

/**
 * Creates and initialises a test's own Nest app on the platform of the run: Express, or
 * Fastify when `HTTP_ADAPTER=fastify` (the `e2e-fastify` jest project), ready for supertest.
 *
 * @example const app = await startNestApp(VaultModule, { logger: false });
 */
export async function startNestApp(
  module: Type,
  options: { logger?: false; abortOnError?: false } = {},
): Promise<INestApplication> {
  const app =
    process.env.HTTP_ADAPTER === 'fastify'
      ? await NestFactory.create(
          module,
          new (await import('@nestjs/platform-fastify')).FastifyAdapter(),
          options,
        )
      : await NestFactory.create(module, options);
  return initExampleApp(app);
}
