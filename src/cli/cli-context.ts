import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ExampleAppModule } from '../../example/app.module.js';
import { exampleSecret, readConfig } from '../../example/config.js';
import { exampleDataSourceOptions } from '../../example/data-source.js';
import { redisAnswers } from '../../example/redis-probe.js';

/**
 * Options of {@link createCliContext}.
 *
 * @example await createCliContext({ env: process.env, worker: false });
 */
export interface CliContextOptions {
  env?: NodeJS.ProcessEnv;
  /** Process the module's jobs (every queue) in this process (the `worker` command); default `false`. */
  worker?: boolean;
}

/**
 * Boots a Nest application context (no HTTP server) with the example app's wiring, from the
 * same environment variables: `DATABASE_URL` (or the SQLite file), `REDIS_URL`,
 * `SESSION_SECRET`, `SESSION_POLICY_FILE`... Migrations run first. Close it with `close()`.
 *
 * @example
 * const context = await createCliContext();
 * const status = await context.get(BulkRevocationService).status(jobId);
 * await context.close();
 */
export async function createCliContext(
  options: CliContextOptions = {},
): Promise<INestApplicationContext> {
  const config = readConfig(options.env ?? process.env);
  const dataSource = new DataSource(exampleDataSourceOptions(config, options.env?.DATABASE_SCHEMA));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    // A one-shot command runs in-process without Redis; `worker` refuses to (see workerCommand).
    const redis =
      config.redisUrl && (await redisAnswers(config.redisUrl)) ? config.redisUrl : false;
    const root = ExampleAppModule.register({
      config: { ...config, secret: exampleSecret(config) },
      dataSource,
      redis,
      redisKeyPrefix: options.env?.REDIS_KEY_PREFIX || undefined,
      worker: options.worker ?? false,
    });
    const context = await NestFactory.createApplicationContext(root, {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    await context.init();
    return context;
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
