import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ExampleAppModule } from '../../example/app.module.js';
import { readConfig } from '../../example/config.js';
import { createHttpApp, initExampleApp } from '../../example/create-app.js';
import { openExampleDatabase } from '../../example/data-source.js';
import { seed } from '../../example/seed.js';
import { type BulkRevocationOptions } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './database.js';
import { adapterEnv, type ExampleEnvironment, type ExampleInstance } from './example-app.js';

const SECRET = randomBytes(32).toString('base64url');

/**
 * Starts an example instance (PostgreSQL schema + Redis prefix of the environment) whose bulk
 * revocation uses `options` (batch size, a queue-specific `worker`...): the example app as
 * `npm start` wires it, with a {@link ManualClock} and `BulkRevocationService` resolvable with
 * `app.get`. The admin routes are the example's `/admin/session-revocations`.
 *
 * @example
 * const worker = await startBulkExample(environment, { worker: true, batchSize: 2 });
 */
export async function startBulkExample(
  environment: ExampleEnvironment,
  options: BulkRevocationOptions = {},
): Promise<ExampleInstance> {
  const config = readConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: environment.redisUrl ?? TEST_REDIS_URL,
    SESSION_SECRET: SECRET,
    ...adapterEnv(),
    ...environment.env,
  });
  const dataSource = await openExampleDatabase(config, environment.schema);
  await seed(dataSource);
  const clock = new ManualClock();
  const example = ExampleAppModule.register({
    config,
    dataSource,
    redis: config.redisUrl ?? false,
    redisKeyPrefix: environment.redisKeyPrefix,
    clock,
    bulkRevocation: options,
  });
  const app = await createHttpApp(example, config.httpAdapter, false).catch(
    async (error: unknown) => {
      await dataSource.destroy();
      throw error;
    },
  );
  await initExampleApp(app);
  return { app, http: request(app.getHttpServer()), clock, close: () => app.close() };
}
