import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ExampleAppModule } from '../../example/app.module.js';
import { readConfig, exampleSecret } from '../../example/config.js';
import { createHttpApp, initExampleApp } from '../../example/create-app.js';
import { openExampleDatabase } from '../../example/data-source.js';
import { seed } from '../../example/seed.js';
import type { RedisSource } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { TEST_DATABASE_URL } from './database.js';
import { adapterEnv, type ExampleInstance } from './example-app.js';

/** What every instance of one test shares: schema, key prefix, secret and the Redis to use. */
export interface TopologyEnvironment {
  schema: string;
  redis: RedisSource;
  redisKeyPrefix: string;
  secret: string;
}

/** A fresh key prefix and secret for the instances of one test file on `redis`. */
export function topologyEnvironment(schema: string, redis: RedisSource): TopologyEnvironment {
  return {
    schema,
    redis,
    redisKeyPrefix: `test:${randomBytes(4).toString('hex')}:`,
    secret: randomBytes(32).toString('base64url'),
  };
}

/**
 * Starts an instance of the example app as `createExampleApp` does (database migrated and
 * seeded, the example's HTTP hardening) but on the given Redis — a Cluster or Sentinel config —
 * instead of a `REDIS_URL`.
 */
export async function startExampleOn(environment: TopologyEnvironment): Promise<ExampleInstance> {
  const config = readConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    SESSION_SECRET: environment.secret,
    ...adapterEnv(),
  });
  const dataSource = await openExampleDatabase(config, environment.schema);
  await seed(dataSource);
  const clock = new ManualClock();
  const module = ExampleAppModule.register({
    config: { ...config, secret: exampleSecret(config) },
    dataSource,
    redis: environment.redis,
    redisKeyPrefix: environment.redisKeyPrefix,
    clock,
  });
  const app = await createHttpApp(module, config.httpAdapter, false).catch(async (error) => {
    await dataSource.destroy();
    throw error;
  });
  await initExampleApp(app);
  return { app, http: request(app.getHttpServer()), clock, close: () => app.close() };
}
