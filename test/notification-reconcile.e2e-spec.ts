import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '../src/common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { JOB_RECONCILE_INTERVAL } from '../src/jobs/reconcile-loop.js';
import { SessionCore1763800000000 } from '../src/migrations/1763800000000-session-core.js';
import { InlineJobQueue } from '../src/jobs/inline-job-queue.js';
import { jobQueueToken } from '../src/jobs/job-queue.js';
import { jobQueuesProvider } from '../src/jobs/job-queues.js';
import type { NotificationChannel } from '../src/notifications/notification-channel.interface.js';
import { NotificationDelivery } from '../src/notifications/notification-delivery.entity.js';
import {
  NOTIFICATION_JOB_QUEUE,
  NOTIFICATION_QUEUE,
} from '../src/notifications/notification-options.js';
import { SessionNotification } from '../src/notifications/notification.entity.js';
import { notificationProviders } from '../src/notifications/notification.providers.js';
import { NotificationReconciler } from '../src/notifications/notification.reconciler.js';
import type { NotificationPageJobData } from '../src/notifications/notification-job.js';
import {
  NotificationPageQueues,
  notificationPageQueueName,
} from '../src/notifications/notification-page-queues.js';
import { bullQueuePrefix } from '../src/common/bull-redis.js';
import {
  notificationEntities,
  notificationMigrations,
} from '../src/notifications/notification.schema.js';
import { NotificationService } from '../src/notifications/notification.service.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { TEST_DATABASE_URL, createSchema, openModuleDatabase } from './support/database.js';
import { eventually } from './support/notification-recorder.js';
import { PrivateRedis } from './support/private-redis.js';

jest.setTimeout(120_000);

/** More than one batch of the reconciler (500 each). */
const PENDING = 520;

/** A channel that counts deliveries per notification. */
class CountingChannel implements NotificationChannel {
  readonly name = 'counting';
  readonly calls = new Map<string, number>();

  async deliver(notification: SessionNotification): Promise<void> {
    this.calls.set(notification.id, (this.calls.get(notification.id) ?? 0) + 1);
  }
}

/**
 * Pending deliveries are queued again by a background reconciler: never before the app listens,
 * in batches, stopped by `close()`, and again after the queue's Redis lost its data.
 */
describe('re-queueing unfinished notification deliveries', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let redis: PrivateRedis;
  let channel: CountingChannel;
  const table = () => `"${schema.name}".ss_notification_delivery`;

  beforeAll(async () => {
    schema = await createSchema('notify_reconcile');
    dataSource = await openModuleDatabase(schema.name);
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await redis?.stop();
    await schema?.drop();
  });
  beforeEach(() => {
    channel = new CountingChannel();
  });

  async function startApp(worker: boolean): Promise<INestApplication> {
    const module = await Test.createTestingModule({
      providers: [
        jobQueuesProvider({ redis: redis.url, prefix: 'nr' }),
        { provide: SESSION_SECURITY_DATA_SOURCE, useValue: dataSource },
        { provide: Clock, useValue: new SystemClock() },
        { provide: JOB_RECONCILE_INTERVAL, useValue: 200 },
        ...notificationProviders({
          channels: [channel],
          sessionEvents: false,
          worker,
          backoff: 10,
        }),
      ],
    }).compile();
    return module.createNestApplication({ logger: false });
  }

  /** `count` notifications with one pending delivery each through the counting channel. */
  async function insertPending(count: number, label: string): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 400) {
      const size = Math.min(400, count - start);
      const rows = Array.from({ length: size }, (_, i) => ({
        id: randomUUID(),
        userId: `${label}-${start + i}`,
        type: 'session_revoked',
        payload: {},
        createdAt: Date.now(),
        readAt: null,
        deliveredVia: [],
        dedupeKey: randomUUID().replace(/-/g, ''),
      }));
      await dataSource.getRepository(SessionNotification).insert(rows);
      await dataSource.getRepository(NotificationDelivery).insert(
        rows.map((r) => ({
          notificationId: r.id,
          channel: 'counting',
          status: 'pending' as const,
        })),
      );
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  }

  async function statusCount(ids: string[], status: string): Promise<number> {
    const [row] = await dataSource.query(
      `SELECT count(*) AS n FROM ${table()} WHERE status = $1 AND "notificationId" = ANY($2)`,
      [status, ids],
    );
    return Number(row.n);
  }

  /** The counting channel's page queue (where re-queued deliveries of a channel go). */
  function pageQueue(app: INestApplication): Queue {
    return app.get(NotificationPageQueues).queue('counting')!.bull!;
  }

  /** Deliveries in the waiting page jobs of a queue. */
  async function waitingDeliveries(queue: Queue): Promise<number> {
    const jobs = await queue.getWaiting();
    return jobs.reduce(
      (n, job) => n + (job.data as NotificationPageJobData).notificationIds.length,
      0,
    );
  }

  /** Holds an exclusive lock on the delivery table: every read of it waits until `release()`. */
  async function lockDeliveries(): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`BEGIN; LOCK TABLE ${table()} IN ACCESS EXCLUSIVE MODE`);
    return {
      release: async () => {
        await client.query('ROLLBACK');
        await client.end();
      },
    };
  }

  it('listens while every pending delivery is still waiting to be queued, then delivers each exactly once', async () => {
    const ids = await insertPending(PENDING, 'listen');
    const lock = await lockDeliveries();
    const app = await startApp(true);
    try {
      // With the startup scan blocked on the table, the app still comes up and listens.
      await app.listen(0);
      const reconciler = app.get(NotificationReconciler);
      expect(reconciler.requeued).toBe(0);
      expect(reconciler.loop.passes).toBe(0);
      for (const queue of [app.get<Queue>(jobQueueToken(NOTIFICATION_QUEUE)), pageQueue(app)]) {
        const counts = await queue.getJobCounts();
        expect(counts.waiting + counts.active + counts.completed).toBe(0);
      }
      await lock.release();

      await eventually(
        async () => expect(await statusCount(ids, 'delivered')).toBe(PENDING),
        80_000,
      );
      expect(reconciler.requeued).toBeGreaterThanOrEqual(PENDING);
      expect(ids.every((id) => channel.calls.get(id) === 1)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('stops the startup scan when the app is closed, queueing nothing more', async () => {
    const ids = await insertPending(PENDING, 'close');
    const lock = await lockDeliveries();
    const app = await startApp(false);
    await app.listen(0);
    const reconciler = app.get(NotificationReconciler);
    const closed = app.close();
    await lock.release();
    await closed;
    expect(reconciler.requeued).toBe(0);
    expect(await statusCount(ids, 'pending')).toBe(PENDING);
    const client = new Redis(redis.url);
    try {
      for (const name of [NOTIFICATION_QUEUE, notificationPageQueueName('counting')]) {
        expect(await client.llen(`${bullQueuePrefix('nr', name)}:${name}:wait`)).toBe(0);
      }
    } finally {
      await client.quit();
    }
  });

  it('queues pending deliveries again after the queue lost them to a FLUSHALL', async () => {
    // Deliveries from the previous test are still pending; one app that only queues.
    const [{ n }] = await dataSource.query(
      `SELECT count(*) AS n FROM ${table()} WHERE status = 'pending'`,
    );
    const pending = Number(n);
    expect(pending).toBeGreaterThan(0);
    const app = await startApp(false);
    await app.init();
    try {
      const queue = pageQueue(app);
      await eventually(async () => expect(await waitingDeliveries(queue)).toBe(pending), 30_000);
      const passes = app.get(NotificationReconciler).loop.passes;
      const flusher = new Redis(redis.url);
      await flusher.flushall();
      await flusher.quit();
      expect(await queue.getWaitingCount()).toBe(0);
      await app.get(NotificationReconciler).loop.afterPasses(passes + 2);
      expect(await waitingDeliveries(queue)).toBe(pending);
      // As pages: one job per 500 deliveries of the channel, not one per delivery.
      expect(await queue.getWaitingCount()).toBe(Math.ceil(pending / 500));

      // A notify() whose queueing is deferred (Redis frozen) is answered at once and queued later.
      redis.pause();
      let result;
      try {
        result = await app.get(NotificationService).notify('frozen-user', 'session_revoked');
      } finally {
        redis.resume();
      }
      expect(result.queued).toBe('deferred');
      await eventually(async () => {
        const waiting = await queue.getWaiting();
        const ids = waiting.flatMap((job) => (job.data as NotificationPageJobData).notificationIds);
        expect(ids).toContain(result.notification.id);
      }, 30_000);
    } finally {
      await app.close();
    }
  });
});

describe('re-queueing a backlog into the in-process queue (SQLite, no Redis)', () => {
  it('keeps one page of 500 deliveries in memory at a time and delivers every one', async () => {
    const sqlite = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [...notificationEntities, SessionEntity],
      migrations: [SessionCore1763800000000, ...notificationMigrations],
      migrationsRun: true,
    }).initialize();
    let pages: NotificationPageQueues | undefined;
    let highest = 0;
    let delivered = 0;
    const channel: NotificationChannel = {
      name: 'watching',
      deliver: async () => {
        highest = Math.max(highest, pages?.inFlight ?? 0);
        delivered++;
      },
    };
    const total = 1_600;
    for (let start = 0; start < total; start += 200) {
      const rows = Array.from({ length: 200 }, (_, i) => ({
        id: randomUUID(),
        userId: `inline-${start + i}`,
        type: 'session_revoked',
        payload: {},
        createdAt: Date.now(),
        readAt: null,
        deliveredVia: [],
        dedupeKey: randomUUID().replace(/-/g, ''),
      }));
      await sqlite.getRepository(SessionNotification).insert(rows);
      await sqlite.getRepository(NotificationDelivery).insert(
        rows.map((r) => ({
          notificationId: r.id,
          channel: 'watching',
          status: 'pending' as const,
        })),
      );
    }
    const module = await Test.createTestingModule({
      providers: [
        { provide: SESSION_SECURITY_DATA_SOURCE, useValue: sqlite },
        { provide: Clock, useValue: new SystemClock() },
        jobQueuesProvider({ redis: null, prefix: 'ss:bull' }),
        ...notificationProviders({ channels: [channel], sessionEvents: false }),
      ],
    }).compile();
    await module.init();
    try {
      const pageQueues = module.get(NotificationPageQueues);
      pages = pageQueues;
      await module.get(NotificationReconciler).loop.afterPasses(1);
      await Promise.all(pageQueues.all.map((queue) => queue.whenIdle()));
      expect(delivered).toBe(total);
      expect(highest).toBe(1); // the next batch is read once its page is done
      expect(module.get<InlineJobQueue<unknown>>(NOTIFICATION_JOB_QUEUE).inFlight).toBe(0);
    } finally {
      await module.close();
      await sqlite.destroy();
    }
  });
});
