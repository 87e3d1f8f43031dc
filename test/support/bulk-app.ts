import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ExampleAppModule } from '../../example/app.module.js';
import { readConfig } from '../../example/config.js';
import { configureHttp } from '../../example/create-app.js';
import {
  exampleDataSourceOptions,
  exampleEntities,
  exampleMigrations,
} from '../../example/data-source.js';
import { seed } from '../../example/seed.js';
import { Can, ManualClock, RequireFreshAuth, RevocationService } from '../../src/index.js';
import { RevocationJobs1764100000000 } from '../../src/migrations/1764100000000-revocation-jobs.js';
import { bulkRevocationProviders } from '../../src/revocation/bulk/bulk-revocation.providers.js';
import type { BulkRevocationOptions } from '../../src/revocation/bulk/bulk-revocation.options.js';
import { RevocationJobEntity } from '../../src/revocation/bulk/revocation-job.entity.js';
import { SessionRevocationsController } from '../../src/revocation/bulk/session-revocations.controller.js';
import { SessionStore } from '../../src/session/session-store.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './database.js';
import type { ExampleEnvironment, ExampleInstance } from './example-app.js';

const SECRET = randomBytes(32).toString('base64url');

/** How the example app will mount the API once wired: admin, fresh auth, internal network. */
@Can('manage', 'Session')
@RequireFreshAuth()
@Controller('admin/session-revocations')
export class AdminSessionRevocationsController extends SessionRevocationsController {}

/**
 * Bulk revocation wired beside the example app, as the lead will wire it into the module
 * (until then `SessionStore` is not exported, so it is taken from `RevocationService` here).
 */
function bulkHarness(options: BulkRevocationOptions): DynamicModule {
  @Module({})
  class BulkHarnessModule {}
  return {
    module: BulkHarnessModule,
    providers: [
      {
        provide: SessionStore,
        inject: [RevocationService],
        useFactory: (revocations: RevocationService) =>
          (revocations as unknown as { store: SessionStore }).store,
      },
      ...bulkRevocationProviders(options),
    ],
    controllers: [AdminSessionRevocationsController],
  };
}

/**
 * Starts an example instance (PostgreSQL schema + Redis prefix of the environment) with bulk
 * revocation wired in: the job table migrated, the admin routes under
 * `/admin/session-revocations`, and `BulkRevocationService` resolvable with `app.get`.
 */
export async function startBulkExample(
  environment: ExampleEnvironment,
  options: BulkRevocationOptions = {},
): Promise<ExampleInstance> {
  const config = readConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: environment.redisUrl ?? TEST_REDIS_URL,
    SESSION_SECRET: SECRET,
    ...environment.env,
  });
  const base = exampleDataSourceOptions(config, environment.schema);
  const dataSource = new DataSource({
    ...base,
    entities: [...exampleEntities, RevocationJobEntity],
    migrations: [...exampleMigrations, RevocationJobs1764100000000],
  } as typeof base);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await seed(dataSource);
  const clock = new ManualClock();
  const example = ExampleAppModule.register({
    config,
    dataSource,
    redis: config.redisUrl,
    redisKeyPrefix: environment.redisKeyPrefix,
    clock,
  });
  @Module({ imports: [example, bulkHarness(options)] })
  class BulkExampleRoot {}
  const app = await NestFactory.create<NestExpressApplication>(BulkExampleRoot, {
    logger: false,
    bodyParser: false,
    abortOnError: false,
  }).catch(async (error: unknown) => {
    await dataSource.destroy();
    throw error;
  });
  configureHttp(app);
  await app.init();
  return { app, http: request(app.getHttpServer()), clock, close: () => app.close() };
}
