import { randomBytes, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '../src/common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { SessionCore1763800000000 } from '../src/migrations/1763800000000-session-core.js';
import { RememberMe1764600000000 } from '../src/migrations/1764600000000-remember-me.js';
import { Impersonation1764700000000 } from '../src/migrations/1764700000000-impersonation.js';
import { TheftSignals1764800000000 } from '../src/migrations/1764800000000-theft-signals.js';
import { SessionEvents } from '../src/session/session-events.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { InlineJobQueue } from '../src/jobs/inline-job-queue.js';
import { jobQueueToken } from '../src/jobs/job-queue.js';
import { jobQueuesProvider } from '../src/jobs/job-queues.js';
import { NotificationDelivery } from '../src/notifications/notification-delivery.entity.js';
import { NotificationDeliveryService } from '../src/notifications/notification-delivery.service.js';
import {
  NOTIFICATION_DELIVER_JOB,
  NOTIFICATION_JOB_QUEUE,
  NOTIFICATION_QUEUE,
  type NotificationModuleOptions,
} from '../src/notifications/notification-options.js';
import { SessionNotification } from '../src/notifications/notification.entity.js';
import { notificationProviders } from '../src/notifications/notification.providers.js';
import {
  notificationEntities,
  notificationMigrations,
} from '../src/notifications/notification.schema.js';
import { NotificationReconciler } from '../src/notifications/notification.reconciler.js';
import { NotificationService } from '../src/notifications/notification.service.js';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../src/notifications/webhook-signature.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, createSchema } from './support/database.js';
import { RecordingChannel, eventually } from './support/notification-recorder.js';
import { NotificationWebhookServer } from './support/notification-webhook-server.js';

const WEBHOOK_SECRET = 'notification-webhook-secret-of-32-plus-chars';
const PREFIX = `t-notify-${randomBytes(4).toString('hex')}`;

let schema: { name: string; drop(): Promise<void> };
let dataSource: DataSource;
let webhook: NotificationWebhookServer;

async function compile(options: NotificationModuleOptions, bull: boolean): Promise<TestingModule> {
  const module = await Test.createTestingModule({
    providers: [
      jobQueuesProvider({ redis: bull ? TEST_REDIS_URL : null, prefix: PREFIX }),
      { provide: SESSION_SECURITY_DATA_SOURCE, useValue: dataSource },
      { provide: Clock, useValue: new SystemClock() },
      SessionEvents,
      ...notificationProviders(options),
    ],
  }).compile();
  return module.init();
}

/** Waits until Bull has no job waiting, running or delayed (whenCurrentJobsFinished stalls the worker). */
function queueSettled(queue: Queue): Promise<void> {
  return eventually(async () => {
    expect(await queue.getJobCounts()).toMatchObject({ active: 0, waiting: 0, delayed: 0 });
  });
}

async function deliveryRows(notificationId: string): Promise<NotificationDelivery[]> {
  return dataSource
    .getRepository(NotificationDelivery)
    .find({ where: { notificationId }, order: { channel: 'ASC' } });
}

async function allDelivered(notificationId: string, channels: string[]): Promise<void> {
  const rows = await deliveryRows(notificationId);
  expect(rows.map((row) => [row.channel, row.status])).toEqual(
    channels.map((channel) => [channel, 'delivered']),
  );
}

beforeAll(async () => {
  schema = await createSchema('notifications');
  dataSource = await new DataSource({
    type: 'postgres',
    url: TEST_DATABASE_URL,
    schema: schema.name,
    extra: { options: `-c search_path=${schema.name}`, max: 5 },
    entities: notificationEntities,
    migrations: notificationMigrations,
  }).initialize();
  await dataSource.runMigrations();
  webhook = await NotificationWebhookServer.start();
});

afterAll(async () => {
  await webhook?.stop();
  await dataSource?.destroy();
  await schema?.drop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('notifications through Bull on Redis', () => {
  let module: TestingModule;
  let notifications: NotificationService;
  let recorder: RecordingChannel;
  let queue: Queue;

  beforeAll(async () => {
    recorder = new RecordingChannel();
    module = await compile(
      {
        channels: [recorder],
        webhook: { url: webhook.url, secret: WEBHOOK_SECRET, timeout: 2_000 },
        attempts: 6,
        backoff: 50,
      },
      true,
    );
    notifications = module.get(NotificationService);
    queue = module.get(jobQueueToken(NOTIFICATION_QUEUE));
    // The startup rescan has run (it would queue what it finds as pages, in the batch body).
    await module.get(NotificationReconciler).loop.afterPasses(1);
  });

  afterAll(async () => {
    await module?.close();
  });

  it('stores a notification once and delivers it once per channel when notified twice', async () => {
    const first = await notifications.notify(
      'u-1',
      'session_revoked',
      { sessionId: 's-1' },
      { dedupeKey: 'revoked:s-1' },
    );
    const second = await notifications.notify(
      'u-1',
      'session_revoked',
      { sessionId: 's-1' },
      { dedupeKey: 'revoked:s-1' },
    );
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, notification: { id: first.notification.id } });
    const id = first.notification.id;
    await eventually(() => allDelivered(id, ['in_app', 'recorder', 'webhook']));
    const third = await notifications.notify(
      'u-1',
      'session_revoked',
      {},
      { dedupeKey: 'revoked:s-1' },
    );
    expect(third.created).toBe(false);
    await queueSettled(queue);

    expect(await dataSource.getRepository(SessionNotification).countBy({ userId: 'u-1' })).toBe(1);
    expect(recorder.count(id)).toBe(1);
    expect(webhook.for(id)).toHaveLength(1);
    const stored = await dataSource.getRepository(SessionNotification).findOneByOrFail({ id });
    expect(stored.deliveredVia).toEqual(['in_app', 'recorder', 'webhook']);
    expect((await deliveryRows(id)).map((row) => row.attempts)).toEqual([1, 1, 1]);
  });

  it('delivers once when the same delivery job is added twice and processed twice', async () => {
    recorder.delayMs = 100;
    const id = randomUUID();
    await dataSource.getRepository(SessionNotification).insert({
      ...{ id, userId: 'u-2', type: 'new_sign_in', payload: {}, createdAt: Date.now() },
      ...{ readAt: null, deliveredVia: [], dedupeKey: randomBytes(32).toString('hex') },
    });
    await dataSource
      .getRepository(NotificationDelivery)
      .insert({ notificationId: id, channel: 'recorder', status: 'pending' });
    const job = { notificationId: id, channel: 'recorder' };
    // What the worker runs for each job, called twice at once beside the queued jobs.
    const delivery = module.get(NotificationDeliveryService);
    const direct = [delivery.run(job), delivery.run(job)];
    await queue.add(NOTIFICATION_DELIVER_JOB, job, { jobId: `${id}:recorder` });
    await queue.add(NOTIFICATION_DELIVER_JOB, job, { jobId: `${id}:recorder` });
    await queue.add(NOTIFICATION_DELIVER_JOB, job, { jobId: `${id}:recorder:again` });
    const outcomes = await Promise.all(direct);

    await eventually(() => allDelivered(id, ['recorder']));
    await queueSettled(queue);
    expect(outcomes).toContain('in_flight');
    expect(recorder.count(id)).toBe(1);
    await expect(delivery.run(job)).resolves.toBe('already_delivered');
    expect(recorder.count(id)).toBe(1);
    recorder.delayMs = 0;
  });

  it('retries the webhook with backoff until the receiver accepts, signing every attempt', async () => {
    webhook.failNext(2);
    const { notification } = await notifications.notify(
      'u-3',
      'new_sign_in',
      { ip: '198.51.100.7' },
      { channels: ['webhook'] },
    );
    await eventually(() => allDelivered(notification.id, ['webhook']));

    const requests = webhook.for(notification.id);
    expect(requests.map((r) => r.answeredStatus)).toEqual([503, 503, 200]);
    const [row] = await deliveryRows(notification.id);
    expect(row).toMatchObject({ attempts: 3, lastError: null });
    for (const request of requests) {
      expect(
        verifyWebhookSignature(request.rawBody, request.headers['x-signature'], WEBHOOK_SECRET),
      ).toBe(true);
      const body = JSON.parse(request.rawBody);
      expect(body).toMatchObject({ id: notification.id, userId: 'u-3', type: 'new_sign_in' });
      expect(request.headers[WEBHOOK_TIMESTAMP_HEADER]).toBe(String(body.timestamp));
      expect(request.headers[WEBHOOK_ID_HEADER]).toBe(notification.id);
    }
    expect(
      verifyWebhookSignature(
        requests[2].rawBody,
        requests[2].headers['x-signature'],
        'x'.repeat(40),
      ),
    ).toBe(false);
  });

  it('records the error of a delivery that keeps failing and leaves it failed', async () => {
    webhook.failNext(100);
    const { notification } = await notifications.notify(
      'u-4',
      'password_changed',
      {},
      {
        channels: ['webhook'],
      },
    );
    await eventually(async () => {
      const [row] = await deliveryRows(notification.id);
      expect(row).toMatchObject({
        status: 'failed',
        attempts: 6,
        lastError: 'webhook answered 503',
      });
    });
    webhook.failNext(0);
  });

  it('marks only the caller’s own notifications read', async () => {
    const mine = (await notifications.notify('alice', 'reauth_required', {})).notification;
    const theirs = (await notifications.notify('bob', 'reauth_required', {})).notification;

    expect(await notifications.markRead('alice', theirs.id)).toBe(false);
    expect(await notifications.markRead('alice', randomUUID())).toBe(false);
    expect(await notifications.markRead('alice', mine.id)).toBe(true);
    expect(await notifications.markRead('alice', mine.id)).toBe(true);

    expect(await notifications.listForUser('bob', { unreadOnly: true })).toEqual([
      expect.objectContaining({ id: theirs.id, readAt: null }),
    ]);
    expect(await notifications.listForUser('alice', { unreadOnly: true })).toEqual([]);
    const [read] = await notifications.listForUser('alice');
    expect(read).toMatchObject({ id: mine.id, payload: {} });
    expect(read.readAt).toEqual(expect.any(Number));
  });

  it('lists a user’s notifications newest first, up to the limit', async () => {
    for (let i = 0; i < 3; i++) await notifications.notify('carol', 'new_sign_in', { i });
    const page = await notifications.listForUser('carol', { limit: 2 });
    expect(page.map((n) => n.payload)).toEqual([{ i: 2 }, { i: 1 }]);
    await expect(notifications.listForUser('carol', { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('rejects an invalid type or an unknown channel before storing anything', async () => {
    await expect(notifications.notify('dave', 'Bad Type!', {})).rejects.toThrow(/type/);
    await expect(
      notifications.notify('dave', 'new_sign_in', {}, { channels: ['sms'] }),
    ).rejects.toThrow(/unknown sms/);
    expect(await notifications.listForUser('dave')).toEqual([]);
  });
});

describe('notifications through the in-process queue', () => {
  it('delivers without Redis, and re-queues deliveries left pending by a previous process', async () => {
    const recorder = new RecordingChannel();
    const options: NotificationModuleOptions = {
      channels: [recorder],
      webhook: { url: webhook.url, secret: WEBHOOK_SECRET },
      backoff: 20,
    };
    const leftover = randomUUID();
    await dataSource.getRepository(SessionNotification).insert({
      ...{ id: leftover, userId: 'erin', type: 'session_revoked', payload: {} },
      ...{
        createdAt: Date.now(),
        readAt: null,
        deliveredVia: [],
        dedupeKey: randomBytes(32).toString('hex'),
      },
    });
    await dataSource
      .getRepository(NotificationDelivery)
      .insert({ notificationId: leftover, channel: 'recorder', status: 'pending' });

    const module = await compile(options, false);
    try {
      const queue = module.get<InlineJobQueue<unknown>>(NOTIFICATION_JOB_QUEUE);
      expect(queue).toBeInstanceOf(InlineJobQueue);
      const notifications = module.get(NotificationService);
      // The startup scan runs in the background once the app is up.
      await module.get(NotificationReconciler).loop.afterPasses(1);
      await queue.whenIdle();
      await allDelivered(leftover, ['recorder']);
      webhook.failNext(1);
      const first = await notifications.notify('erin', 'new_sign_in', {}, { dedupeKey: 'k' });
      const again = await notifications.notify('erin', 'new_sign_in', {}, { dedupeKey: 'k' });
      await queue.whenIdle();

      const id = first.notification.id;
      expect(again.notification.id).toBe(id);
      await allDelivered(id, ['in_app', 'recorder', 'webhook']);
      await allDelivered(leftover, ['recorder']);
      expect(recorder.count(id)).toBe(1);
      expect(recorder.count(leftover)).toBe(1);
      expect(webhook.for(id).map((r) => r.answeredStatus)).toEqual([503, 200]);
    } finally {
      await module.close();
    }
  });
});

describe('notifications on SQLite (better-sqlite3)', () => {
  it('runs the migration, delivers once per channel in process and notifies on session events', async () => {
    const sqlite = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [...notificationEntities, SessionEntity],
      migrations: [
        SessionCore1763800000000,
        RememberMe1764600000000,
        Impersonation1764700000000,
        TheftSignals1764800000000,
        ...notificationMigrations,
      ],
      migrationsRun: true,
    }).initialize();
    const recorder = new RecordingChannel();
    const module = await Test.createTestingModule({
      providers: [
        { provide: SESSION_SECURITY_DATA_SOURCE, useValue: sqlite },
        { provide: Clock, useValue: new SystemClock() },
        SessionEvents,
        jobQueuesProvider({ redis: null, prefix: 'ss:bull' }),
        ...notificationProviders({ channels: [recorder], backoff: 10 }),
      ],
    }).compile();
    await module.init();
    try {
      const notifications = module.get(NotificationService);
      const queue = module.get<InlineJobQueue<unknown>>(NOTIFICATION_JOB_QUEUE);
      const { notification } = await notifications.notify(
        'frank',
        'password_changed',
        { a: 1 },
        {
          dedupeKey: 'pw:1',
        },
      );
      await notifications.notify('frank', 'password_changed', { a: 1 }, { dedupeKey: 'pw:1' });
      await queue.whenIdle();
      await module.get(NotificationDeliveryService).run({
        notificationId: notification.id,
        channel: 'recorder',
      });
      expect(recorder.count(notification.id)).toBe(1);
      const [stored] = await notifications.listForUser('frank');
      expect(stored).toMatchObject({ payload: { a: 1 }, deliveredVia: ['in_app', 'recorder'] });
      expect((await notifications.deliveries(notification.id)).map((d) => d.attempts)).toEqual([
        1, 1,
      ]);
      expect(await notifications.markRead('frank', notification.id)).toBe(true);

      const events = module.get(SessionEvents);
      const chrome = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.1 Safari/537.36';
      const signIn = async (id: string, ip: string, userAgent: string) => {
        await sqlite.getRepository(SessionEntity).insert({
          ...{ id, tokenHash: id.padEnd(64, '0'), userId: 'gina', tenantId: null, roles: [] },
          ...{ authzVersion: 0, createdAt: Date.now(), lastSeenAt: 0, idleExpiresAt: 0 },
          ...{ absoluteExpiresAt: 0, authenticatedAt: 0, authLevel: 'password', ip, userAgent },
          ...{ data: {}, revokedAt: null, revokedReason: null, reauthRequiredAt: null },
        });
        await events.emit({
          type: 'session.created',
          userId: 'gina',
          sessionId: id,
          ip,
          userAgent,
        });
      };
      await signIn('s-1', '203.0.113.5', chrome);
      await signIn('s-2', '203.0.113.9', chrome.replace('120.0.1', '121.0.4'));
      await signIn('s-3', '198.51.100.7', chrome);
      await events.emit({
        type: 'session.revoked',
        userId: 'gina',
        sessionId: 's-3',
        details: { reason: 'admin' },
      });
      await events.emit({
        type: 'session.revoked',
        userId: 'gina',
        sessionId: 's-3',
        details: { reason: 'admin' },
      });
      await queue.whenIdle();
      const inbox = await notifications.listForUser('gina');
      const byType = Object.fromEntries(inbox.map((n) => [n.type, n.payload]));
      expect(inbox).toHaveLength(2);
      expect(byType.session_revoked).toMatchObject({ sessionId: 's-3' });
      expect(byType.new_sign_in).toMatchObject({
        sessionId: 's-3',
        reason: 'new_network',
        ip: '198.51.100.7',
      });
    } finally {
      await module.close();
      await sqlite.destroy();
    }
  });
});
