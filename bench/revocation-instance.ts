import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { BulkRevocationService, RevocationService, SessionSecurityModule } from '../src/index.js';
import {
  createBenchApp,
  openBenchDataSource,
  type BenchServer,
  type BenchSettings,
} from './bench-app.js';

/** The instance that revokes: the module with bulk revocation; it queues jobs, a worker runs them. */
export interface RevocationInstance {
  bulk: BulkRevocationService;
  revocations: RevocationService;
  close(): Promise<void>;
}

/**
 * The module as the (b) server configures it, without global guards; its bulk revocation
 * processes jobs only when `worker` is set.
 */
function revocationRoot(
  settings: BenchSettings,
  dataSource: DataSource,
  worker: boolean,
  notify = false,
  notifyPer: 'user' | 'session' = 'user',
  webhookUrl: string | null = null,
) {
  @Module({
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: { idleTimeout: '30m', absoluteTimeout: '12h' },
        globalGuards: false,
        worker,
        bulkRevocation: { notify, notifyPer },
        notifications: webhookUrl
          ? { webhook: { url: webhookUrl, secret: settings.secret, batchSize: 100 } }
          : {},
      }),
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
  const dataSource = await openBenchDataSource(settings);
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

/**
 * The bulk revocation worker as a bench server process (`server.js revocation-worker`); it
 * notifies only when `BENCH_REVOCATION_NOTIFY=1` — per user, or per session with
 * `BENCH_REVOCATION_NOTIFY_PER=session` — and also through a webhook when
 * `BENCH_REVOCATION_WEBHOOK_URL` is set (signed with the run's secret).
 */
export async function startRevocationWorker(settings: BenchSettings): Promise<BenchServer> {
  const dataSource = await openBenchDataSource(settings);
  const notify = process.env.BENCH_REVOCATION_NOTIFY === '1';
  const per = process.env.BENCH_REVOCATION_NOTIFY_PER === 'session' ? 'session' : 'user';
  const webhook = process.env.BENCH_REVOCATION_WEBHOOK_URL || null;
  const root = revocationRoot(settings, dataSource, true, notify, per, webhook);
  const app = await createBenchApp(root);
  return {
    app,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
