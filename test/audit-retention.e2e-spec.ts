import { randomBytes } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import Bull from 'bull';
import { DataSource } from 'typeorm';
import { AuditCheckpoint } from '../src/audit/audit-checkpoint.entity.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import {
  AUDIT_RETENTION_JOB_NAME,
  AUDIT_RETENTION_QUEUE,
  AUDIT_RETENTION_SCHEDULE,
  type AuditRetentionSchedule,
} from '../src/audit/audit-retention.schedule.js';
import {
  BullRepeatableSchedule,
  TimerRepeatableSchedule,
} from '../src/jobs/repeatable-schedule.js';
import { jobQueueToken } from '../src/jobs/job-queue.js';
import { bullQueuePrefix } from '../src/common/bull-redis.js';
import {
  AuditService,
  SessionSecurityModule,
  SessionSecurityOptionsError,
  sessionSecurityEntities,
  sessionSecurityMigrations,
} from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import type { AuditOptions } from '../src/audit/audit-config.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, createSchema } from './support/database.js';
import { eventually } from './support/notification-recorder.js';

const SECRET = randomBytes(32).toString('base64url');
const PREFIX = `test:${randomBytes(4).toString('hex')}:`;
const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

interface Instance {
  module: TestingModule;
  dataSource: DataSource;
  clock: ManualClock;
  audit: AuditService;
  schedule: AuditRetentionSchedule | null;
  close(): Promise<void>;
}

describe('audit retention as a repeatable job (PostgreSQL, Redis, Bull)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let inspector: Bull.Queue;
  const instances: Instance[] = [];
  const startAt = Date.UTC(2026, 0, 1);

  async function openDataSource(name = schema.name): Promise<DataSource> {
    const dataSource = new DataSource({
      type: 'postgres',
      url: TEST_DATABASE_URL,
      schema: name,
      extra: { options: `-c search_path=${name}`, max: 4 },
      entities: sessionSecurityEntities,
      migrations: sessionSecurityMigrations,
    });
    return dataSource.initialize();
  }

  /** One app instance: its own connection pool and clock, the shared schema and Redis prefix. */
  async function start(
    audit: AuditOptions,
    extras: { worker?: boolean; redis?: string | false; schema?: string } = {},
  ): Promise<Instance> {
    const dataSource = await openDataSource(extras.schema);
    const clock = new ManualClock();
    clock.freeze(startAt);
    const module = await Test.createTestingModule({
      imports: [
        SessionSecurityModule.forRoot({
          dataSource,
          secret: SECRET,
          redis: extras.redis ?? TEST_REDIS_URL,
          redisKeyPrefix: PREFIX,
          clock,
          audit,
          globalGuards: false,
          worker: extras.worker,
        }),
      ],
    })
      .compile()
      .catch(async (error: unknown) => {
        await dataSource.destroy();
        throw error;
      });
    await module.init();
    const instance: Instance = {
      module,
      dataSource,
      clock,
      audit: module.get(AuditService),
      schedule: module.get(AUDIT_RETENTION_SCHEDULE),
      close: async () => {
        await module.close();
        await dataSource.destroy();
      },
    };
    instances.push(instance);
    return instance;
  }

  const events = (instance: Instance) => instance.dataSource.getRepository(AuditEvent);
  const checkpoints = (instance: Instance) => instance.dataSource.getRepository(AuditCheckpoint);
  const record = async (instance: Instance, count: number, type = 'session.created') => {
    for (let i = 0; i < count; i++) await instance.audit.record({ type, details: { i } });
  };

  async function migrate(name: string): Promise<void> {
    const migrator = await openDataSource(name);
    await migrator.runMigrations();
    await migrator.destroy();
  }

  beforeAll(async () => {
    schema = await createSchema('auditret');
    await migrate(schema.name);
    inspector = new Bull(AUDIT_RETENTION_QUEUE, {
      prefix: bullQueuePrefix(`${PREFIX}bull`, AUDIT_RETENTION_QUEUE),
      redis: TEST_REDIS_URL,
    });
  });

  afterAll(async () => {
    for (const instance of instances.reverse()) await instance.close().catch(() => undefined);
    await inspector?.obliterate({ force: true }).catch(() => undefined);
    await inspector?.close();
    await schema?.drop();
  });

  describe('two instances on one Redis', () => {
    let a: Instance;
    let b: Instance;
    const retention = { maxAge: '30d', every: '1h' };
    const advance = (ms: number) => [a, b].forEach((instance) => instance.clock.advance(ms));

    beforeAll(async () => {
      a = await start({ retention });
      b = await start({ retention });
      await Promise.all([a.schedule!.whenScheduled(), b.schedule!.whenScheduled()]);
    });

    it('register ONE repeatable schedule, and both process it', async () => {
      expect(a.schedule).toBeInstanceOf(BullRepeatableSchedule);
      const repeatable = await inspector.getRepeatableJobs();
      expect(repeatable).toEqual([
        expect.objectContaining({ name: AUDIT_RETENTION_JOB_NAME, every: HOUR }),
      ]);
      expect(await inspector.getDelayedCount()).toBe(1);
      await eventually(async () => expect(await inspector.getWorkers()).toHaveLength(2));
    });

    it('prunes events older than maxAge behind a checkpoint; verify() still passes; the same cutoff again changes nothing', async () => {
      await record(a, 5);
      advance(31 * DAY);
      await record(b, 3);

      const first = await b.schedule!.runNow();
      expect(first).toMatchObject({ cutoff: a.clock.now() - 30 * DAY, removed: 5 });
      expect(first.checkpoint?.seq).toBe(5);
      expect(await events(a).count()).toBe(3);
      expect(await checkpoints(a).find()).toEqual([
        expect.objectContaining({ seq: 5, removed: 5, hash: first.checkpoint!.hash }),
      ]);
      await expect(a.audit.verify()).resolves.toEqual({ ok: true, checked: 3 });

      const completed = await inspector.getCompleted();
      expect(completed.map((job) => job.data)).toContainEqual({ cutoff: first.cutoff });

      advance(HOUR);
      const again = await a.schedule!.runNow({ cutoff: first.cutoff });
      expect(again).toEqual({ cutoff: first.cutoff, removed: 0, checkpoint: null });
      expect(await events(a).count()).toBe(3);
      expect(await checkpoints(a).count()).toBe(1);

      await record(a, 1);
      await expect(b.audit.verify()).resolves.toEqual({ ok: true, checked: 4 });
    });

    it('two runs at once on two workers remove each event once and leave one valid chain', async () => {
      const before = await events(a).count();
      await record(a, 40, 'login.failed');
      advance(31 * DAY);
      await record(b, 2);

      const runs = await Promise.all([a.schedule!.runNow(), b.schedule!.runNow()]);
      expect(runs[0].removed + runs[1].removed).toBe(before + 40);
      expect(await events(a).count()).toBe(2);
      const all = await checkpoints(a).find({ order: { seq: 'ASC' } });
      expect(all.reduce((sum, checkpoint) => sum + checkpoint.removed, 0)).toBe(5 + before + 40);
      await expect(a.audit.verify()).resolves.toEqual({ ok: true, checked: 2 });
    });

    it('concurrent appends from both instances while a run prunes keep one gapless, valid chain', async () => {
      const head = (await a.audit.tail(1))[0].seq;
      const old = await events(a).count();
      advance(31 * DAY);
      const burst = (instance: Instance, who: string) =>
        Array.from({ length: 60 }, (_, i) =>
          instance.audit.record({ type: 'login.failed', actor: who, details: { i } }),
        );
      const [run] = await Promise.all([a.schedule!.runNow(), ...burst(a, 'a'), ...burst(b, 'b')]);
      const rows = await events(a).find({ order: { seq: 'ASC' } });
      const seqs = rows.map((row) => row.seq);
      expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => head + 1 + i));
      expect(rows.filter((row) => row.actor === 'b')).toHaveLength(60);
      expect((run as { removed: number }).removed).toBe(old);
      await expect(b.audit.verify({ batchSize: 16 })).resolves.toEqual({
        ok: true,
        checked: rows.length,
      });
    });

    it('an instance with another interval replaces the schedule instead of adding one, worker:false processes nothing, and the schedule can be removed', async () => {
      const c = await start({ retention: { maxAge: '30d', every: '2h' } }, { worker: false });
      await c.schedule!.whenScheduled();
      // The queue is a provider under the usual token, so the queue dashboard shows it.
      const queue = c.module.get(jobQueueToken(AUDIT_RETENTION_QUEUE));
      expect(queue).toBe(c.schedule!.queue.bull);
      expect(queue).not.toBeNull();
      const repeatable = await inspector.getRepeatableJobs();
      expect(repeatable).toEqual([expect.objectContaining({ every: 2 * HOUR })]);
      expect(await inspector.getDelayedCount()).toBe(1);
      expect(await inspector.getWorkers()).toHaveLength(2);
      await c.close();

      await inspector.removeRepeatable(AUDIT_RETENTION_JOB_NAME, { every: 2 * HOUR });
      expect(await inspector.getRepeatableJobs()).toEqual([]);
      expect(await inspector.getDelayedCount()).toBe(0);
    });
  });

  describe('without Redis', () => {
    it('runs on an in-process timer when the worker is on, and not at all when it is off', async () => {
      const own = await createSchema('auditret_solo');
      await migrate(own.name);
      const solo = await start({ retention: { maxAge: '1d' } }, { redis: false, schema: own.name });
      expect(solo.schedule).toBeInstanceOf(TimerRepeatableSchedule);
      await record(solo, 2);
      solo.clock.advance(2 * DAY);
      await record(solo, 1);
      const run = await solo.schedule!.runNow();
      expect(run).toMatchObject({ removed: 2, checkpoint: { seq: 2 } });
      await expect(solo.audit.verify()).resolves.toEqual({ ok: true, checked: 1 });
      await solo.close();

      const off = await start(
        { retention: { maxAge: '1d' } },
        { redis: false, worker: false, schema: own.name },
      );
      expect(off.schedule).toBeNull();
      await off.close();
      await own.drop();
    });
  });

  it('refuses to start on bad retention options, naming each one', async () => {
    const bad = start({ retention: { maxAge: '12h', every: '10s', evry: '1h' } as never });
    await expect(bad).rejects.toBeInstanceOf(SessionSecurityOptionsError);
    const message = await bad.catch((error: Error) => error.message);
    expect(message).toContain('audit.retention.maxAge: must be at least 1 day');
    expect(message).toContain('audit.retention.every: must be at least 1 minute');
    expect(message).toContain('audit.retention.evry: unknown option');
  });
});
