import { jobQueueToken } from '../src/jobs/job-queue.js';
import type Bull from 'bull';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SessionService } from '../src/index.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { Clock } from '../src/common/clock.js';
import { BulkRevocationService } from '../src/revocation/bulk/bulk-revocation.service.js';
import {
  BULK_REVOCATION_OPTIONS,
  REVOCATION_QUEUE,
} from '../src/revocation/bulk/bulk-revocation.options.js';
import type { RevocationFilter } from '../src/revocation/bulk/revocation-filter.js';
import { RevocationFilterError } from '../src/revocation/bulk/revocation-filter.js';
import { RevocationJobEntity } from '../src/revocation/bulk/revocation-job.entity.js';
import { RevocationJobProcessor } from '../src/revocation/bulk/revocation-job.processor.js';
import { RevocationBatchEffects } from '../src/revocation/bulk/revocation-batch-effects.js';
import type { MatchedSession } from '../src/revocation/bulk/session-matcher.js';
import { SessionEvents } from '../src/session/session-events.js';
import { SessionNotification } from '../src/notifications/notification.entity.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { startBulkExample } from './support/bulk-app.js';
import { createSchema } from './support/database.js';
import { type Client, type ExampleInstance, login, newEnvironment } from './support/example-app.js';

interface Made {
  id: string;
  token: string;
  userId: string;
  roles: string[];
  tenantId: string | null;
  ip: string;
  userAgent: string;
  createdAt: number;
}

describe('bulk session revocation (markers now, rows in batches)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let environment: ReturnType<typeof newEnvironment>;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let dataSource: DataSource;
  let bulk: BulkRevocationService;
  let admin: Client;

  beforeAll(async () => {
    schema = await createSchema('bulk');
    environment = newEnvironment(schema.name);
    a = await startBulkExample(environment, { worker: false, batchSize: 3 });
    b = await startBulkExample(environment, { worker: false, batchSize: 3 });
    dataSource = a.app.get(SESSION_SECURITY_DATA_SOURCE);
    bulk = a.app.get(BulkRevocationService);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const advance = (by: string) => [a, b].forEach((i) => i.clock.advance(by));
  const sessions = () => dataSource.getRepository(SessionEntity);
  const processor = () => a.app.get(RevocationJobProcessor);
  const alive = async (made: Made) => (await b.app.get(SessionService).validate(made.token)).ok;

  /** Ends every live session so each scenario counts only its own, then moves past old markers. */
  async function clean(): Promise<void> {
    await sessions()
      .createQueryBuilder()
      .update()
      .set({ revokedAt: 1, revokedReason: 'test reset' })
      .where('"revokedAt" IS NULL')
      .execute();
    advance('1s');
  }

  async function make(
    userId: string,
    roles: string[],
    extra: { tenantId?: string; ip?: string; userAgent?: string } = {},
  ): Promise<Made> {
    const ip = extra.ip ?? '192.0.2.1';
    const userAgent = extra.userAgent ?? 'Mozilla/5.0 Firefox/140';
    const issued = await a.app
      .get(SessionService)
      .create({ id: userId, roles, tenantId: extra.tenantId ?? null }, { ip, userAgent });
    return {
      id: issued.session.id,
      token: issued.token,
      userId,
      roles,
      tenantId: extra.tenantId ?? null,
      ip,
      userAgent,
      createdAt: issued.session.createdAt,
    };
  }

  /** A varied corpus: two time slices, users, roles, tenants, networks and browsers. */
  async function corpus(): Promise<{ made: Made[]; boundary: string }> {
    const made = [
      await make('u1', ['editor'], { tenantId: 'acme', ip: '10.1.2.3' }),
      await make('u1', ['editor'], { tenantId: 'acme', ip: '203.0.113.9', userAgent: 'curl/8.5' }),
      await make('u2', ['viewer'], { tenantId: 'globex', ip: '10.9.9.9' }),
      await make('u3', ['editor', 'viewer'], { ip: '2001:db8::1', userAgent: 'Edge/120 Mobile' }),
    ];
    advance('5m');
    const boundary = new Date(a.clock.now()).toISOString();
    advance('1m');
    made.push(
      await make('u2', ['viewer'], { tenantId: 'globex', ip: '198.51.100.4' }),
      await make('u4', ['role_x'], { tenantId: 'acme', ip: '10.0.0.1', userAgent: 'CURL/7' }),
      await make('u5', ['rolex'], { ip: '172.16.0.1' }),
    );
    return { made, boundary };
  }

  /**
   * The job's `session_revoked` notifications (one per user per job by default): how many each
   * user got, and the sessions they list, each at most once.
   */
  async function notifiedByJob(jobId: string) {
    const rows = (
      await dataSource.getRepository(SessionNotification).findBy({ type: 'session_revoked' })
    ).filter((n) => n.payload.jobId === jobId);
    const perUser: Record<string, number> = {};
    for (const n of rows) perUser[n.userId] = (perUser[n.userId] ?? 0) + 1;
    const listed = rows.flatMap((n) => n.payload.sessionIds as string[]);
    return { perUser, listed, rows };
  }

  /** Asserts each user of `revoked` got exactly one notification of the job, and nobody else. */
  async function expectOncePerUser(jobId: string, revoked: Made[]): Promise<void> {
    const { perUser, listed, rows } = await notifiedByJob(jobId);
    const users = [...new Set(revoked.map((m) => m.userId))].sort();
    expect(perUser).toEqual(Object.fromEntries(users.map((u) => [u, 1])));
    expect(new Set(listed).size).toBe(listed.length);
    const owner = new Map(revoked.map((m) => [m.id, m.userId]));
    for (const n of rows) {
      for (const id of n.payload.sessionIds as string[]) expect(owner.get(id)).toBe(n.userId);
    }
  }

  async function waitForJob(jobId: string): Promise<void> {
    await processor().run(jobId);
  }

  const cases: Array<
    [string, (boundary: string) => RevocationFilter, (m: Made, boundary: number) => boolean]
  > = [
    ['all', () => ({ all: true }), () => true],
    ['userIds', () => ({ userIds: ['u1', 'u3'] }), (m) => ['u1', 'u3'].includes(m.userId)],
    ['one role', () => ({ roles: ['editor'] }), (m) => m.roles.includes('editor')],
    [
      'a role with a LIKE wildcard',
      () => ({ roles: ['role_x'] }),
      (m) => m.roles.includes('role_x'),
    ],
    ['tenantId', () => ({ tenantId: 'acme' }), (m) => m.tenantId === 'acme'],
    ['createdBefore', (t) => ({ createdBefore: t }), (m, t) => m.createdAt < t],
    ['authenticatedBefore', (t) => ({ authenticatedBefore: t }), (m, t) => m.createdAt < t],
    ['ip (CIDR)', () => ({ ip: '10.0.0.0/8' }), (m) => m.ip.startsWith('10.')],
    ['ip (IPv6)', () => ({ ip: '2001:db8::/32' }), (m) => m.ip.startsWith('2001:db8')],
    ['userAgent contains', () => ({ userAgent: 'curl' }), (m) => /curl/i.test(m.userAgent)],
    [
      'a combination (AND)',
      (t) => ({ roles: ['editor', 'viewer'], createdBefore: t, ip: '10.0.0.0/8' }),
      (m, t) =>
        m.roles.some((r) => r === 'editor' || r === 'viewer') &&
        m.createdAt < t &&
        m.ip.startsWith('10.'),
    ],
  ];

  it.each(cases)(
    'revokes exactly the sessions the filter "%s" matches, and no others',
    async (name, filterOf, expected) => {
      const reason = `incident: ${name}`;
      await clean();
      const { made, boundary } = await corpus();
      const operator = await make('1', ['admin'], { ip: '127.0.0.1' });
      const filter = filterOf(boundary);
      const want = made
        .filter((m) => expected(m, Date.parse(boundary)))
        .map((m) => m.id)
        .sort();
      if (filter.all) want.push(operator.id);

      const dry = await bulk.start(filter, reason, '1', { dryRun: true });
      expect(dry.matched).toBe(want.length);
      expect(dry.dryRun && dry.sample.map((s) => s.id).sort()).toEqual([...want].sort());

      const started = await bulk.start(filter, reason, '1');
      expect(started.matched).toBe(want.length);
      if (started.dryRun) throw new Error('not started');
      await waitForJob(started.jobId);

      const status = await bulk.status(started.jobId);
      expect(status).toMatchObject({
        state: 'completed',
        progress: 100,
        matched: want.length,
        revoked: want.length,
      });
      const revoked = (await sessions().findBy({}))
        .filter((row) => row.revokedReason === reason.slice(0, 64))
        .map((row) => row.id)
        .sort();
      expect(revoked).toEqual([...want].sort());
      for (const m of [...made, operator]) {
        expect(await alive(m)).toBe(!want.includes(m.id));
      }
      const revokedMade = [...made, operator].filter((m) => want.includes(m.id));
      await expectOncePerUser(started.jobId, revokedMade);
    },
  );

  it("with notifyPer: 'session', gives one notification per revoked session, also when the job runs twice", async () => {
    const perSession = await startBulkExample(environment, {
      worker: false,
      batchSize: 3,
      notifyPer: 'session',
    });
    try {
      const want = await byJobCorpus(12); // 8 sessions of 4 users, over 3 batches
      perSession.clock.advance(a.clock.now() - perSession.clock.now()); // the others' time
      const started = await perSession.app
        .get(BulkRevocationService)
        .start({ ip: '10.7.0.0/16' }, 'per session', '1');
      if (started.dryRun) throw new Error('not started');
      const jobs = perSession.app.get(RevocationJobProcessor);
      await Promise.all([jobs.run(started.jobId), jobs.run(started.jobId)]);
      const notes = (
        await dataSource.getRepository(SessionNotification).findBy({ type: 'session_revoked' })
      ).filter((n) => n.payload.jobId === started.jobId);
      expect(notes.map((n) => n.payload.sessionId).sort()).toEqual(want.map((m) => m.id).sort());
      for (const n of notes) {
        expect(n.userId).toBe(want.find((m) => m.id === n.payload.sessionId)?.userId);
      }
    } finally {
      await perSession.close();
    }
  });

  it('says which filters take effect at once and which by the job', async () => {
    const effect = async (filter: RevocationFilter) =>
      (await bulk.start(filter, 'plan', '1', { dryRun: true })).effect;
    expect(await effect({ all: true })).toBe('immediate');
    expect(await effect({ userIds: ['u1'] })).toBe('immediate');
    expect(await effect({ roles: ['editor'] })).toBe('immediate');
    expect(await effect({ tenantId: 'acme' })).toBe('immediate');
    expect(await effect({ roles: ['editor', 'viewer'] })).toBe('by_job');
    expect(await effect({ ip: '10.0.0.0/8' })).toBe('by_job');
    expect(await effect({ tenantId: 'acme', roles: ['editor'] })).toBe('by_job');
  });

  it('changes nothing on a dry run', async () => {
    await clean();
    await corpus();
    const before = await sessions().countBy({});
    const live = await sessions().createQueryBuilder('s').where('s.revokedAt IS NULL').getCount();
    const jobs = await dataSource.getRepository(RevocationJobEntity).count();
    const dry = await bulk.start({ all: true }, 'just looking', '1', { dryRun: true });
    expect(dry.matched).toBe(live);
    expect(await sessions().countBy({})).toBe(before);
    expect(await sessions().createQueryBuilder('s').where('s.revokedAt IS NULL').getCount()).toBe(
      live,
    );
    expect(await dataSource.getRepository(RevocationJobEntity).count()).toBe(jobs);
  });

  it('refuses an immediately revoked session on its next request on both instances before the job ran', async () => {
    await clean();
    admin = await login(a, 'alice');
    const bobOnA = await login(a, 'bob');
    const bobOnB = await login(b, 'bob');
    const carol = await login(b, 'carol');
    await a.http.get('/me').set('Cookie', bobOnB.cookie).expect(200);

    const response = await a.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { roles: ['editor'] }, reason: 'editor credentials leaked' })
      .expect(202);
    expect(response.body).toMatchObject({ matched: 2, effect: 'immediate' });
    expect((await bulk.status(response.body.jobId))?.state).toBe('waiting');

    for (const instance of [a, b]) {
      for (const client of [bobOnA, bobOnB]) {
        const denied = await instance.http.get('/me').set('Cookie', client.cookie).expect(401);
        expect(denied.body.error).toBe('session_revoked');
      }
      await instance.http.get('/me').set('Cookie', carol.cookie).expect(200);
      await instance.http.get('/me').set('Cookie', admin.cookie).expect(200);
    }
    expect((await bulk.status(response.body.jobId))?.state).toBe('waiting');
    await waitForJob(response.body.jobId);
    expect(await bulk.status(response.body.jobId)).toMatchObject({
      state: 'completed',
      revoked: 2,
    });
  });

  async function byJobCorpus(count: number): Promise<Made[]> {
    await clean();
    const made: Made[] = [];
    for (let i = 0; i < count; i++) {
      made.push(
        await make(`bulk-${i % 4}`, ['viewer'], {
          ip: i % 3 === 0 ? '198.51.100.7' : `10.7.0.${i}`,
        }),
      );
    }
    return made.filter((m) => m.ip.startsWith('10.7.'));
  }

  it('revokes each row exactly once and counts it once when a job is delivered twice', async () => {
    const want = await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'twice', '1');
    if (started.dryRun) throw new Error('not started');
    expect(started).toMatchObject({ matched: want.length, effect: 'by_job' });
    await Promise.all([
      processor().run(started.jobId),
      b.app.get(RevocationJobProcessor).run(started.jobId),
    ]);
    const first = await sessions().findBy({ revokedReason: 'twice' });
    advance('1s');
    expect(await processor().run(started.jobId)).toBe('skipped');
    await b.app.get(BulkRevocationService).resumeUnfinished();
    expect(await bulk.status(started.jobId)).toMatchObject({
      state: 'completed',
      matched: want.length,
      revoked: want.length,
    });
    const again = await sessions().findBy({ revokedReason: 'twice' });
    expect(again.map((r) => [r.id, r.revokedAt]).sort()).toEqual(
      first.map((r) => [r.id, r.revokedAt]).sort(),
    );
    expect(again.map((r) => r.id).sort()).toEqual(want.map((m) => m.id).sort());
    await expectOncePerUser(started.jobId, want);
  });

  it('resumes a job from its committed cursor after a worker died mid-job, revoking every row once', async () => {
    const want = await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'crash', '1');
    if (started.dryRun) throw new Error('not started');

    class CrashingProcessor extends RevocationJobProcessor {
      protected override async afterBatch(job: RevocationJobEntity, batch: MatchedSession[]) {
        await super.afterBatch(job, batch);
        if (batch.length > 0) throw new Error('worker killed');
      }
    }
    const crashing = new CrashingProcessor(
      dataSource,
      a.app.get(RevocationBatchEffects),
      a.app.get(SessionEvents),
      a.app.get(Clock),
      a.app.get(BULK_REVOCATION_OPTIONS),
    );
    await expect(crashing.run(started.jobId)).rejects.toThrow('worker killed');
    const midway = await dataSource
      .getRepository(RevocationJobEntity)
      .findOneByOrFail({ id: started.jobId });
    expect(midway.state).toBe('active');
    expect(midway.cursor).not.toBeNull();
    const afterFirst = await sessions().countBy({ revokedReason: 'crash' });
    expect(midway.revoked).toBe(afterFirst);
    expect(afterFirst).toBeGreaterThan(0);
    expect(afterFirst).toBeLessThan(want.length);

    expect(await processor().run(started.jobId)).toBe('completed');
    expect(await bulk.status(started.jobId)).toMatchObject({
      state: 'completed',
      matched: want.length,
      revoked: want.length,
    });
    const rows = await sessions().findBy({ revokedReason: 'crash' });
    expect(rows.map((r) => r.id).sort()).toEqual(want.map((m) => m.id).sort());
    for (const m of want) expect(await alive(m)).toBe(false);
    await expectOncePerUser(started.jobId, want);
  });

  it('ends the cached tokens and notifies the users of a batch whose worker died right after its commit', async () => {
    const want = await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'died after commit', '1');
    if (started.dryRun) throw new Error('not started');
    for (const m of want) expect(await alive(m)).toBe(true); // cached on instance b

    class DiesAfterCommit extends RevocationJobProcessor {
      protected override async afterBatch(_job: RevocationJobEntity, batch: MatchedSession[]) {
        if (batch.length > 0) throw new Error('worker killed before its cache and notifications');
      }
    }
    const dying = new DiesAfterCommit(
      dataSource,
      a.app.get(RevocationBatchEffects),
      a.app.get(SessionEvents),
      a.app.get(Clock),
      a.app.get(BULK_REVOCATION_OPTIONS),
    );
    await expect(dying.run(started.jobId)).rejects.toThrow('worker killed');
    const committed = await sessions().findBy({ revokedReason: 'died after commit' });
    expect(committed.length).toBeGreaterThan(0);
    expect((await notifiedByJob(started.jobId)).rows).toEqual([]);

    expect(await processor().run(started.jobId)).toBe('completed');
    expect(await bulk.status(started.jobId)).toMatchObject({ revoked: want.length });
    for (const m of want) expect(await alive(m)).toBe(false);
    await expectOncePerUser(started.jobId, want);
    // The batch that died before its effects is notified by the resumed run: its sessions are
    // listed (every one of them, since the first batch reached each of its users first).
    const { listed } = await notifiedByJob(started.jobId);
    expect(committed.every((r) => listed.includes(r.id))).toBe(true);
  });

  it("commits the next batch only once the previous batch's cached tokens have ended", async () => {
    const want = await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'cache write failed', '1');
    if (started.dryRun) throw new Error('not started');
    const real = a.app.get(RevocationBatchEffects);
    const failing = Object.create(real) as RevocationBatchEffects;
    let failed: MatchedSession[] = [];
    failing.endTokens = async (batch) => {
      if (batch.length > 0 && failed.length === 0) {
        failed = batch;
        // Slower than the next batch's statement, so that batch is ready to commit meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error('cache write failed');
      }
      return real.endTokens(batch);
    };
    const withFailingCache = new RevocationJobProcessor(
      dataSource,
      failing,
      a.app.get(SessionEvents),
      a.app.get(Clock),
      a.app.get(BULK_REVOCATION_OPTIONS),
    );
    await expect(withFailingCache.run(started.jobId)).rejects.toThrow('cache write failed');
    const job = await dataSource
      .getRepository(RevocationJobEntity)
      .findOneByOrFail({ id: started.jobId });
    // Only the batch whose tokens failed is committed: the next one waited for them, and rolled back.
    const revoked = await sessions().findBy({ revokedReason: 'cache write failed' });
    expect(revoked.map((r) => r.id).sort()).toEqual(failed.map((r) => r.id).sort());
    expect(job.revoked).toBe(failed.length);

    expect(await processor().run(started.jobId)).toBe('completed');
    for (const m of want) expect(await alive(m)).toBe(false);
  });

  it('stops a cancelled job after its current batch and keeps what was done', async () => {
    await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'cancel me', '1');
    if (started.dryRun) throw new Error('not started');
    expect((await bulk.cancel(started.jobId))?.state).toBe('cancelled');
    expect(await processor().run(started.jobId)).toBe('cancelled');
    expect(await sessions().countBy({ revokedReason: 'cancel me' })).toBe(0);
    expect((await bulk.cancel(started.jobId))?.state).toBe('cancelled');
    expect(await bulk.cancel(randomBytes(4).toString('hex'))).toBeNull();
  });

  it('stops a running job at the batch after a cancel, keeping the batches already done', async () => {
    const want = await byJobCorpus(20);
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'cancel midway', '1');
    if (started.dryRun) throw new Error('not started');
    const jobId = started.jobId;

    class CancelledAfterFirstBatch extends RevocationJobProcessor {
      protected override async afterBatch(job: RevocationJobEntity, batch: MatchedSession[]) {
        await super.afterBatch(job, batch);
        if (batch.length > 0 && job.revoked <= batch.length) await bulk.cancel(jobId, 'ops:sam');
      }
    }
    const cancelling = new CancelledAfterFirstBatch(
      dataSource,
      a.app.get(RevocationBatchEffects),
      a.app.get(SessionEvents),
      a.app.get(Clock),
      a.app.get(BULK_REVOCATION_OPTIONS),
    );
    expect(await cancelling.run(jobId)).toBe('cancelled');
    const done = await sessions().countBy({ revokedReason: 'cancel midway' });
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(want.length);
    expect(await bulk.status(jobId)).toMatchObject({ state: 'cancelled', revoked: done });
    expect(await processor().run(jobId)).toBe('cancelled');
    expect(await sessions().countBy({ revokedReason: 'cancel midway' })).toBe(done);
  });

  it.each([
    [{ filter: { foo: 1 }, reason: 'x' }, 'filter.foo'],
    [{ filter: { ip: '10.0.0.0/33' }, reason: 'x' }, 'filter.ip'],
    [{ filter: { createdBefore: 'yesterday' }, reason: 'x' }, 'filter.createdBefore'],
    [{ filter: { userAgent: 'x'.repeat(201) }, reason: 'x' }, 'filter.userAgent'],
    [{ filter: { all: false }, reason: 'x' }, 'filter.all'],
    [{ filter: { roles: [] }, reason: 'x' }, 'filter.roles'],
    [{ filter: {}, reason: 'x' }, 'filter'],
    [{ filter: { all: true } }, 'reason'],
    [{ filter: { all: true }, reason: 'x'.repeat(257) }, 'reason'],
    [{ filter: { all: true }, reason: 'x', extra: 1 }, 'extra'],
  ])('answers 400 invalid_request naming the bad field (case %#: %s)', async (body, field) => {
    admin = await login(a, 'alice');
    const response = await a.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send(body)
      .expect(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', field });
    expect(response.body.message).toContain(field);
  });

  it('rejects a bad filter given to the service, naming the field', async () => {
    await expect(bulk.start({ ip: 'not-an-ip' }, 'x', null)).rejects.toMatchObject({
      field: 'filter.ip',
    });
    await expect(bulk.start({} as RevocationFilter, 'x', null)).rejects.toBeInstanceOf(
      RevocationFilterError,
    );
  });

  it('serves the admin API: dry run 200, start 202, status, list, cancel, 404 for unknown ids', async () => {
    await clean();
    admin = await login(a, 'alice');
    await make('api-1', ['viewer'], { tenantId: 'api' });
    const post = (path: string, body?: object) =>
      a.http
        .post(`/admin/session-revocations${path}`)
        .set('Cookie', admin.cookie)
        .set('X-CSRF-Token', admin.csrf)
        .send(body);
    const get = (path: string) =>
      a.http.get(`/admin/session-revocations${path}`).set('Cookie', admin.cookie);

    const dry = await post('', { filter: { tenantId: 'api' }, reason: 'api', dryRun: true }).expect(
      200,
    );
    expect(dry.body).toMatchObject({ matched: 1, effect: 'immediate' });
    expect(dry.body.sample).toHaveLength(1);
    const started = await post('', {
      filter: { createdBefore: '2000-01-01T00:00:00Z', tenantId: 'api' },
      reason: 'api',
    }).expect(202);
    expect(started.body).toEqual({
      jobId: expect.any(String),
      matched: 0,
      effect: 'by_job',
      queued: 'queued',
      replayed: false,
    });
    const status = await get(`/${started.body.jobId}`).expect(200);
    expect(status.body).toMatchObject({
      jobId: started.body.jobId,
      state: 'waiting',
      progress: 0,
      matched: 0,
      revoked: 0,
    });
    const list = await get('').expect(200);
    expect(list.body[0].jobId).toBe(started.body.jobId);
    const cancelled = await post(`/${started.body.jobId}/cancel`).expect(202);
    expect(cancelled.body.state).toBe('cancelled');
    expect((await get('/not-a-uuid').expect(404)).body.error).toBe('not_found');
    expect((await get('/00000000-0000-4000-8000-000000000000').expect(404)).body.error).toBe(
      'not_found',
    );
    await post('/00000000-0000-4000-8000-000000000000/cancel').expect(404);

    const carol = await login(a, 'carol');
    await a.http.get('/admin/session-revocations').set('Cookie', carol.cookie).expect(403);
  });

  it('queues a job again when its Bull job already failed but its row is unfinished', async () => {
    await byJobCorpus(6);
    const queue = a.app.get<Bull.Queue>(jobQueueToken(REVOCATION_QUEUE));
    await queue.empty(); // earlier scenarios ran their jobs directly and left them queued
    const started = await bulk.start({ ip: '10.7.0.0/16' }, 'bull lost it', '1');
    if (started.dryRun) throw new Error('not started');
    const bullJob = (await queue.getNextJob()) as Bull.Job; // taken, as by a worker
    expect(bullJob.id).toBe(started.jobId);
    bullJob.discard();
    await bullJob.moveToFailed({ message: 'lost with its worker' });
    expect(await bullJob.isFailed()).toBe(true);
    expect((await bulk.status(started.jobId))?.state).toBe('waiting');

    const worker = await startBulkExample(environment, { worker: true, batchSize: 2 });
    try {
      let status = await bulk.status(started.jobId);
      for (let i = 0; i < 400 && status?.state !== 'completed'; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        status = await bulk.status(started.jobId);
      }
      expect(status).toMatchObject({ state: 'completed', revoked: started.matched });
    } finally {
      await worker.close();
    }
  });

  it('runs jobs on a Bull worker of another instance and reports progress', async () => {
    await byJobCorpus(10);
    const worker = await startBulkExample(environment, { worker: true, batchSize: 2 });
    try {
      const started = await bulk.start({ ip: '10.7.0.0/16' }, 'bull', '1');
      if (started.dryRun) throw new Error('not started');
      let status = await bulk.status(started.jobId);
      for (let i = 0; i < 200 && status?.state !== 'completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        status = await bulk.status(started.jobId);
      }
      expect(status).toMatchObject({ state: 'completed', progress: 100, revoked: started.matched });
    } finally {
      await worker.close();
    }
  });
});
