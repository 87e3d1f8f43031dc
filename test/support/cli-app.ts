import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { SessionService } from '../../src/index.js';
import { openCliAppDatabase } from '../fixtures/cli-app/cli-app.database.js';
import { CliAppModule } from '../fixtures/cli-app/cli-app.module.js';

/** The CLI test app served over HTTP in the test process: the "running app" the CLI acts on. */
export interface RunningCliApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  /** Signs a user in (as the app's login would) and returns the cookie header of the session. */
  signIn(userId: string, roles: string[], ip: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Migrates the test app's database (the app's own deploy step, never the CLI's) and serves the
 * app of `test/fixtures/cli-app` on it, with the same settings the CLI reads from `env`.
 *
 * @example const running = await startCliApp(env, { worker: false });
 */
export async function startCliApp(
  env: Record<string, string>,
  { worker = true }: { worker?: boolean } = {},
): Promise<RunningCliApp> {
  const dataSource = await openCliAppDatabase(env);
  await dataSource.runMigrations({ transaction: 'each' });
  const module = CliAppModule.register({
    dataSource,
    redis: env.CLI_APP_REDIS_URL || false,
    redisKeyPrefix: env.CLI_APP_KEY_PREFIX,
    secret: env.CLI_APP_SECRET,
    worker,
  });
  const app = await NestFactory.create(module, { logger: false, abortOnError: false }).catch(
    async (error: unknown) => {
      await dataSource.destroy();
      throw error;
    },
  );
  await app.init();
  const sessions = app.get(SessionService);
  return {
    app,
    http: request(app.getHttpServer()),
    dataSource,
    async signIn(userId, roles, ip) {
      const { token } = await sessions.create({ id: userId, roles }, { ip });
      return `__Host-t=${token}`;
    },
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
