import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ExampleAppModule } from '../../example/app.module.js';
import { exampleSecret, readConfig } from '../../example/config.js';
import {
  exampleDataSourceOptions,
  exampleEntities,
  exampleMigrations,
} from '../../example/data-source.js';
import { RevocationJobs1764100000000 } from '../migrations/1764100000000-revocation-jobs.js';
import { bulkRevocationProviders } from '../revocation/bulk/bulk-revocation.providers.js';
import { BulkRevocationService } from '../revocation/bulk/bulk-revocation.service.js';
import { RevocationJobEntity } from '../revocation/bulk/revocation-job.entity.js';
import { RevocationService } from '../revocation/revocation.service.js';
import { SessionStore } from '../session/session-store.js';
import { redisAnswers } from '../../example/redis-probe.js';

/**
 * Options of {@link createCliContext}.
 *
 * @example await createCliContext({ env: process.env, worker: false });
 */
export interface CliContextOptions {
  env?: NodeJS.ProcessEnv;
  /** Process revocation jobs in this process (the `worker` command); default `false`. */
  worker?: boolean;
}

/**
 * Bulk revocation beside the module. Until `bulkRevocationProviders()` is wired into
 * `SessionSecurityModule` (which owns `SessionStore`), the store is taken from
 * `RevocationService`; once wired, drop this module and use the module's exports.
 */
function bulkModule(worker: boolean): DynamicModule {
  @Module({})
  class CliBulkRevocationModule {}
  const wired = BulkRevocationService;
  return {
    module: CliBulkRevocationModule,
    providers: [
      {
        provide: SessionStore,
        inject: [RevocationService],
        useFactory: (revocations: RevocationService) =>
          (revocations as unknown as { store: SessionStore }).store,
      },
      ...bulkRevocationProviders({ worker }),
    ],
    exports: [wired],
  };
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
  const base = exampleDataSourceOptions(config, options.env?.DATABASE_SCHEMA);
  const dataSource = new DataSource({
    ...base,
    entities: [...exampleEntities, RevocationJobEntity],
    migrations: [...exampleMigrations, RevocationJobs1764100000000],
  } as typeof base);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const redis = (await redisAnswers(config.redisUrl)) ? config.redisUrl : false;
    @Module({
      imports: [
        ExampleAppModule.register({
          config: { ...config, secret: exampleSecret(config) },
          dataSource,
          redis,
          redisKeyPrefix: options.env?.REDIS_KEY_PREFIX || undefined,
        }),
        bulkModule(options.worker ?? false),
      ],
    })
    class CliRootModule {}
    const context = await NestFactory.createApplicationContext(CliRootModule, {
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
