import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  RevocationService,
  SessionSecurityModule,
  sessionSecurityEntities,
  sessionSecurityMigrations,
} from '../src/index.js';
import { RevocationJobs1764100000000 } from '../src/migrations/1764100000000-revocation-jobs.js';
import { bulkRevocationProviders } from '../src/revocation/bulk/bulk-revocation.providers.js';
import { BulkRevocationService } from '../src/revocation/bulk/bulk-revocation.service.js';
import { RevocationJobEntity } from '../src/revocation/bulk/revocation-job.entity.js';
import { SessionStore } from '../src/session/session-store.js';
import { createBenchApp, type BenchServer, type BenchSettings } from './bench-app.js';

/** The instance that revokes: the module with bulk revocation; it queues jobs, a worker runs them. */
export interface RevocationInstance {
  bulk: BulkRevocationService;
  revocations: RevocationService;
  close(): Promise<void>;
}

/**
 * Bulk revocation beside the module as the module will provide it; until it does, the store is
 * taken from `RevocationService` (as the CLI and the test harness do for now).
 */
function bulkRevocationBench(worker: boolean): DynamicModule {
  @Module({})
  class BulkRevocationBenchModule {}
  return {
    module: BulkRevocationBenchModule,
    providers: [
      {
        provide: SessionStore,
        inject: [RevocationService],
        useFactory: (revocations: RevocationService) =>
          (revocations as unknown as { store: SessionStore }).store,
      },
      ...bulkRevocationProviders({ worker }),
    ],
  };
}

async function openDataSource(settings: BenchSettings): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: settings.databaseUrl,
    schema: settings.schema,
    extra: { options: `-c search_path=${settings.schema}` },
    entities: [...sessionSecurityEntities, RevocationJobEntity],
    migrations: [...sessionSecurityMigrations, RevocationJobs1764100000000],
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** The module as the (b) server configures it, without global guards, plus bulk revocation. */
function revocationRoot(settings: BenchSettings, dataSource: DataSource, worker: boolean) {
  @Module({
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: { idleTimeout: '30m', absoluteTimeout: '12h' },
        globalGuards: false,
      }),
      bulkRevocationBench(worker),
    ],
  })
  class RevocationBenchRoot {}
  return RevocationBenchRoot;
}

/**
 * Starts the revoking instance in the runner (no HTTP: the bench calls its services) on the
 * run's schema and Redis prefix. It only queues jobs: the worker runs in its own process
 * ({@link startRevocationWorker}), so the runner's probes are never delayed by a batch.
 */
export async function startRevocationInstance(
  settings: BenchSettings,
): Promise<RevocationInstance> {
  const dataSource = await openDataSource(settings);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(revocationRoot(settings, dataSource, false), {
      logger: ['error', 'warn'],
    });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return {
    bulk: app.get(BulkRevocationService),
    revocations: app.get(RevocationService),
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}

/** The bulk revocation worker as a bench server process (`server.js revocation-worker`). */
export async function startRevocationWorker(settings: BenchSettings): Promise<BenchServer> {
  const dataSource = await openDataSource(settings);
  const app = await createBenchApp(revocationRoot(settings, dataSource, true));
  return {
    app,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
