import { randomBytes } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { In, type DataSource } from 'typeorm';
import {
  BulkRevocationService,
  SessionNotification,
  SessionSecurityModule,
  SessionService,
} from '../src/index.js';
import { Clock, SystemClock } from '../src/common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { jobQueuesProvider } from '../src/jobs/job-queues.js';
import { NotificationBatchService } from '../src/notifications/notification-batch.service.js';
import { NotificationDelivery } from '../src/notifications/notification-delivery.entity.js';
import type { NotificationModuleOptions } from '../src/notifications/notification-options.js';
import {
  NotificationPageDeliveryService,
  type PageDeliveryOutcome,
} from '../src/notifications/notification-page-delivery.service.js';
import type { NotificationChannel } from '../src/notifications/notification-channel.interface.js';
import { ManualClock } from '../src/testing/index.js';
import { notificationProviders } from '../src/notifications/notification.providers.js';
import { NotificationPageQueues } from '../src/notifications/notification-page-queues.js';
import { NotificationReconciler } from '../src/notifications/notification.reconciler.js';
import type { WebhookBatchBody } from '../src/notifications/webhook.channel.js';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../src/notifications/webhook-signature.js';
import { RevocationJobEntity } from '../src/revocation/bulk/revocation-job.entity.js';
import { TEST_REDIS_URL, createSchema, openModuleDatabase } from './support/database.js';
import { RecordingChannel, eventually } from './support/notification-recorder.js';
import { NotificationWebhookServer } from './support/notification-webhook-server.js';

const SECRET = 'notification-webhook-secret-of-32-plus-chars';
const PREFIX = `t-pages-${randomBytes(4).toString('hex')}`;

let schema: { name: string; drop(): Promise<void> };
let dataSource: DataSource;
let webhook: NotificationWebhookServer;

beforeAll(async () => {
  schema = await createSchema('notification_pages');
  dataSource = await openModuleDatabase(schema.name);
  webhook = await NotificationWebhookServer.start();
});

afterAll(async () => {
  await webhook?.stop();
  await dataSource?.destroy();
  await schema?.drop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function compile(
  options: NotificationModuleOptions,
  clock: Clock = new SystemClock(),
): Promise<TestingModule> {
  const module = await Test.createTestingModule({
    providers: [
      jobQueuesProvider({ redis: TEST_REDIS_URL, prefix: `${PREFIX}:bull` }),
      { provide: SESSION_SECURITY_DATA_SOURCE, useValue: dataSource },
      { provide: Clock, useValue: clock },
      ...notificationProviders({ sessionEvents: false, ...options }),
    ],
  }).compile();
  return module.init();
}

const items = (label: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    userId: `${label}-user-${i}`,
    type: 'session_revoked' as const,
    payload: { sessionIds: [`${label}-s-${i}`] },
    dedupeKey: `${label}:${i}`,
  }));

async function idsOf(label: string): Promise<string[]> {
  const rows = await dataSource
    .getRepository(SessionNotification)
    .createQueryBuilder('n')
    .where('n.userId LIKE :like', { like: `${label}-user-%` })
    .getMany();
  return rows.map((n) => n.id).sort();
}

async function statuses(ids: string[], channel: string): Promise<string[]> {
  const rows = await dataSource
    .getRepository(NotificationDelivery)
    .findBy({ channel, notificationId: In(ids) });
  return [...new Set(rows.map((row) => row.status))];
}

/** The events of the receiver's batched requests answered 200, each verified against its signature. */
function acceptedEvents(): string[] {
  const ids: string[] = [];
  for (const request of webhook.batches()) {
    expect(verifyWebhookSignature(request.rawBody, request.headers['x-signature'], SECRET)).toBe(
      true,
    );
    const body = JSON.parse(request.rawBody) as WebhookBatchBody;
    expect(request.headers[WEBHOOK_TIMESTAMP_HEADER]).toBe(String(body.timestamp));
    expect(request.headers[WEBHOOK_ID_HEADER]).toBe(body.id);
    if (request.answeredStatus === 200) ids.push(...body.events.map((event) => event.id));
  }
  return ids;
}

describe('notification pages (a batch of notifications, one job per channel page)', () => {
  let module: TestingModule;
  let recorder: RecordingChannel;

  beforeAll(async () => {
    recorder = new RecordingChannel();
    module = await compile({
      channels: [recorder],
      webhook: { url: webhook.url, secret: SECRET, batchSize: 100, concurrency: 2 },
      attempts: 5,
      backoff: 50,
    });
    // The startup rescan has run: only the pages of notifyMany deliver below.
    await module.get(NotificationReconciler).loop.afterPasses(1);
  });
  afterAll(() => module?.close());
  beforeEach(() => {
    webhook.received.length = 0;
    webhook.delayMs = 0;
  });

  it('sends 250 webhook events as three signed batch requests and hands each notification to every channel once', async () => {
    expect(await module.get(NotificationBatchService).notifyMany(items('pages', 250))).toBe(250);
    const ids = await idsOf('pages');
    expect(ids).toHaveLength(250);
    // The in-app delivery is recorded with the row: no job for it.
    expect(await statuses(ids, 'in_app')).toEqual(['delivered']);
    await eventually(async () => {
      expect(await statuses(ids, 'webhook')).toEqual(['delivered']);
      expect(await statuses(ids, 'recorder')).toEqual(['delivered']);
    }, 20_000);

    expect(webhook.batches()).toHaveLength(3);
    expect(
      webhook.batches().map((r) => (JSON.parse(r.rawBody) as WebhookBatchBody).events.length),
    ).toEqual(expect.arrayContaining([100, 100, 50]));
    expect(acceptedEvents().sort()).toEqual(ids);
    expect(ids.every((id) => recorder.count(id) === 1)).toBe(true);
    const stored = await dataSource.getRepository(SessionNotification).findBy({ id: In(ids) });
    expect(new Set(stored.map((n) => JSON.stringify(n.deliveredVia)))).toEqual(
      new Set([JSON.stringify(['in_app', 'recorder', 'webhook'])]),
    );
  });

  it('retries a batch the webhook refused and delivers each of its events once', async () => {
    webhook.failNext(1);
    await module.get(NotificationBatchService).notifyMany(items('refused', 30));
    const ids = await idsOf('refused');
    await eventually(async () => expect(await statuses(ids, 'webhook')).toEqual(['delivered']));
    expect(webhook.batches().map((r) => r.answeredStatus)).toEqual([503, 200]);
    expect(acceptedEvents().sort()).toEqual(ids);
    const rows = await dataSource
      .getRepository(NotificationDelivery)
      .findBy({ channel: 'webhook', notificationId: In(ids) });
    expect(new Set(rows.map((row) => row.attempts))).toEqual(new Set([2]));
  });
});

describe('a page processed twice at once', () => {
  it('hands each notification to the channel once', async () => {
    const recorder = new RecordingChannel();
    recorder.delayMs = 2;
    const module = await compile({ channels: [recorder], worker: false });
    try {
      await module.get(NotificationBatchService).notifyMany(items('twice', 40));
      const ids = await idsOf('twice');
      const pages = module.get(NotificationPageDeliveryService);
      const page = { channel: 'recorder', notificationIds: ids };
      const [one, two] = await Promise.all([pages.run(page), pages.run(page)]);
      expect(one.delivered + two.delivered).toBe(40);
      expect(one.skipped + two.skipped).toBe(40);
      expect(ids.map((id) => recorder.count(id))).toEqual(ids.map(() => 1));
      expect(await pages.run(page)).toEqual({ delivered: 0, skipped: 40 });
      expect(await statuses(ids, 'recorder')).toEqual(['delivered']);
    } finally {
      await module.close();
    }
    // The page queues close with the app (Bull's `closing` is set by `close()`).
    const [queue] = module.get(NotificationPageQueues).bullQueues;
    expect(queue.name).toBe('session-security-notifications-recorder');
    expect((queue as unknown as { closing?: Promise<void> }).closing).toBeInstanceOf(Promise);
  });
});

describe('a page delivered one by one that outlasts its lease', () => {
  it('renews the lease at half-time, so a second run cannot take the page over midway', async () => {
    const clock = new ManualClock();
    const calls = new Map<string, number>();
    const nested: PageDeliveryOutcome[] = [];
    let again: (() => Promise<PageDeliveryOutcome>) | null = null;
    const slow: NotificationChannel = {
      name: 'slow',
      deliver: async (n) => {
        calls.set(n.id, (calls.get(n.id) ?? 0) + 1);
        clock.advance('40s'); // each delivery takes 40 s of a 60 s lease
        const run = calls.size === 3 ? again : null;
        again = calls.size === 3 ? null : again;
        if (run) nested.push(await run()); // a rescan's run of the same page, 120 s in
      },
    };
    const module = await compile({ channels: [slow], worker: false, lease: '60s' }, clock);
    try {
      await module.get(NotificationBatchService).notifyMany(items('lease', 4));
      const ids = await idsOf('lease');
      const pages = module.get(NotificationPageDeliveryService);
      const page = { channel: 'slow', notificationIds: ids };
      again = () => pages.run(page);
      expect(await pages.run(page)).toEqual({ delivered: 4, skipped: 0 });
      expect(nested).toEqual([{ delivered: 0, skipped: 4 }]);
      expect(ids.map((id) => calls.get(id))).toEqual([1, 1, 1, 1]);
    } finally {
      await module.close();
    }
  });
});

describe('a bulk revocation while the webhook answers slowly', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    @Module({
      imports: [
        SessionSecurityModule.forRoot({
          dataSource,
          secret: randomBytes(32).toString('base64url'),
          redis: TEST_REDIS_URL,
          redisKeyPrefix: `${PREFIX}:app:`,
          globalGuards: false,
          notifications: {
            webhook: { url: webhook.url, secret: SECRET, batchSize: 10, concurrency: 1 },
            sessionEvents: false,
          },
          bulkRevocation: { batchSize: 40 },
        }),
      ],
    })
    class SlowWebhookRoot {}
    app = await NestFactory.createApplicationContext(SlowWebhookRoot, { logger: false });
  });
  afterAll(() => app?.close());

  it('completes the job in about its bookkeeping time; the webhook catches up afterwards, each user notified once', async () => {
    webhook.received.length = 0;
    webhook.mostInFlight = 0;
    webhook.delayMs = 1_000; // 5 batches, one at a time: at least 5 s of webhook
    const sessions = app.get(SessionService);
    for (let i = 0; i < 200; i++) {
      await sessions.create({ id: `slow-${i % 50}`, roles: ['viewer'] }, { ip: '10.20.0.1' });
    }
    const began = Date.now();
    const started = await app.get(BulkRevocationService).start({ ip: '10.20.0.0/16' }, 'slow', '1');
    if (started.dryRun) throw new Error('not started');
    const job = await eventually(async () => {
      const row = await dataSource
        .getRepository(RevocationJobEntity)
        .findOneByOrFail({ id: started.jobId });
      expect(row.state).toBe('completed');
      return row;
    }, 20_000);
    const jobMs = Date.now() - began;
    expect(job.revoked).toBe(200);
    expect(jobMs).toBeLessThan(4_000);

    const notes = await dataSource
      .getRepository(SessionNotification)
      .createQueryBuilder('n')
      .where(`n.userId LIKE 'slow-%'`)
      .getMany();
    expect(notes).toHaveLength(50); // one per user for the job
    const ids = notes.map((n) => n.id).sort();
    // The job did not wait for the webhook: most of its deliveries were still open then.
    expect(webhook.batches().length).toBeLessThan(5);
    await eventually(
      async () => expect(await statuses(ids, 'webhook')).toEqual(['delivered']),
      30_000,
    );
    expect(webhook.mostInFlight).toBe(1); // concurrency: 1 — back-pressure, not a flood
    expect(acceptedEvents().sort()).toEqual(ids);
  }, 60_000);
});
