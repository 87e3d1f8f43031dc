import { createSchema, query } from './support/database.js';
import {
  type Client,
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';

const INSIDE = '10.1.2.3';

/**
 * The admin API of bulk revocation as the example app serves it (`npm start` wiring): an HTTP
 * instance started with SESSION_WORKER=false that only queues jobs, and a second instance that
 * processes them.
 */
describe('POST/GET /admin/session-revocations through the example app', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let http: ExampleInstance;
  let worker: ExampleInstance | undefined;
  let admin: Client;

  beforeAll(async () => {
    schema = await createSchema('revocations_api');
    http = await startExample(
      newEnvironment(schema.name, { SESSION_WORKER: 'false', TRUST_PROXY: '127.0.0.1/32,::1/128' }),
    );
  });
  afterAll(async () => {
    await worker?.close();
    await http?.close();
    await schema?.drop();
  });
  beforeEach(async () => {
    admin = await login(http, 'alice');
  });

  const post = (path: string, body?: object, client = admin, from = INSIDE) =>
    http.http
      .post(`/admin/session-revocations${path}`)
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .set('X-Forwarded-For', from)
      .send(body);
  const get = (path: string, client = admin) =>
    http.http
      .get(`/admin/session-revocations${path}`)
      .set('Cookie', client.cookie)
      .set('X-Forwarded-For', INSIDE);
  const liveSessions = async () =>
    Number(
      (
        await query<{ n: string }>(
          `SELECT count(*) AS n FROM "${schema.name}".ss_session WHERE "revokedAt" IS NULL`,
        )
      )[0].n,
    );
  const jobCount = async () =>
    Number(
      (
        await query<{ n: string }>(`SELECT count(*) AS n FROM "${schema.name}".ss_revocation_job`)
      )[0].n,
    );

  async function statusUntil(jobId: string, state: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { body } = await get(`/${jobId}`).expect(200);
      if (body.state === state || Date.now() > deadline) return body;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('refuses without a session (401), a non-admin (403), outside the network (403), stale auth (401) and no CSRF token (403)', async () => {
    const body = { filter: { all: true }, reason: 'x', dryRun: true };
    await http.http.post('/admin/session-revocations').send(body).expect(401);
    await http.http.get('/admin/session-revocations').expect(401);
    const bob = await login(http, 'bob');
    expect((await post('', body, bob).expect(403)).body.error).toBe('forbidden');
    expect((await get('', bob).expect(403)).body.error).toBe('forbidden');
    const outside = await post('', body, admin, '203.0.113.7').expect(403);
    expect(outside.body).toMatchObject({ error: 'forbidden', reason: 'network_not_allowed' });
    const noCsrf = await http.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-Forwarded-For', INSIDE)
      .send(body)
      .expect(403);
    expect(noCsrf.body.error).toBe('csrf_rejected');
    const created = await post('', { filter: { ip: '192.0.2.0/24' }, reason: 'stale' }).expect(202);
    http.clock.advance('6m');
    expect((await post('', body).expect(401)).body.error).toBe('reauth_required');
    const cancel = await post(`/${created.body.jobId}/cancel`).expect(401);
    expect(cancel.body.error).toBe('reauth_required');
    await get(`/${created.body.jobId}`).expect(200); // reading needs no fresh authentication
    await get('').expect(200);
  });

  it('answers a dry run 200 with the count and a sample, and changes nothing', async () => {
    await login(http, 'bob');
    const [live, jobs] = [await liveSessions(), await jobCount()];
    const dry = await post('', { filter: { roles: ['editor'] }, reason: 'look', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, effect: 'immediate' });
    expect(dry.body.matched).toBeGreaterThan(0);
    expect(dry.body.sample).toHaveLength(dry.body.matched);
    expect(dry.body.sample[0]).toEqual({
      id: expect.any(String),
      userId: '2',
      createdAt: expect.any(String),
      ip: expect.any(String),
    });
    expect([await liveSessions(), await jobCount()]).toEqual([live, jobs]);
    await get('/').expect(200);
  });

  it.each([
    [{ filter: { ip: '10.0.0.0/99' }, reason: 'x' }, 'filter.ip'],
    [{ filter: { roles: ['editor'], color: 'red' }, reason: 'x' }, 'filter.color'],
    [{ filter: { createdBefore: '2026-13-01' }, reason: 'x' }, 'filter.createdBefore'],
    [{ filter: { all: true }, reason: '' }, 'reason'],
    [{ filter: { userIds: ['\u0001'] }, reason: 'x', dryRun: true }, 'filter.userIds.0'],
    [{ filter: { userAgent: 'a\u0007' }, reason: 'x', dryRun: true }, 'filter.userAgent'],
    [{ filter: { userIds: ['2'] }, reason: 'x\u001b' }, 'reason'],
  ])('answers 400 invalid_request naming the bad field (%j)', async (body, field) => {
    const jobs = await jobCount();
    const response = await post('', body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'invalid_request', field });
    expect(response.body.message).toContain(field);
    expect(await jobCount()).toBe(jobs);
  });

  it('creates (202), lists and cancels a waiting job; unknown ids are 404', async () => {
    const created = await post('', { filter: { ip: '198.51.100.0/24' }, reason: 'cancel me' });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      jobId: expect.any(String),
      matched: 0,
      effect: 'by_job',
      queued: 'queued',
      replayed: false,
    });
    const { jobId } = created.body;
    expect((await get(`/${jobId}`).expect(200)).body).toMatchObject({ jobId, state: 'waiting' });
    const list = await get('').expect(200);
    expect(list.body[0]).toMatchObject({ jobId, state: 'waiting', reason: 'cancel me' });
    const cancelled = await post(`/${jobId}/cancel`).expect(202);
    expect(cancelled.body).toMatchObject({ jobId, state: 'cancelled' });
    expect((await post(`/${jobId}/cancel`).expect(202)).body.state).toBe('cancelled');
    expect((await get(`/${jobId}`).expect(200)).body.state).toBe('cancelled');
    await get('/00000000-0000-4000-8000-000000000000').expect(404);
    await post('/00000000-0000-4000-8000-000000000000/cancel').expect(404);
    expect((await get('/nope').expect(404)).body.error).toBe('not_found');
  });

  it('leaves the job waiting on an instance without a worker; a worker instance completes it, notifies and audits', async () => {
    const bob = await login(http, 'bob');
    await http.http.get('/me').set('Cookie', bob.cookie).expect(200);
    const created = await post('', {
      filter: { roles: ['editor'] },
      reason: 'INC-77 editor leak',
    }).expect(202);
    const { jobId, matched } = created.body;
    expect(created.body).toMatchObject({ effect: 'immediate' });
    expect(matched).toBeGreaterThan(0);
    const denied = await http.http.get('/me').set('Cookie', bob.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');
    expect((await get(`/${jobId}`).expect(200)).body.state).toBe('waiting');

    worker = await startExample(newEnvironment(schema.name, {}));
    const done = await statusUntil(jobId, 'completed');
    expect(done).toMatchObject({
      jobId,
      state: 'completed',
      progress: 100,
      matched,
      revoked: matched,
    });

    const again = await login(http, 'bob');
    const inbox = await http.http.get('/me/notifications').set('Cookie', again.cookie).expect(200);
    type Revoked = { type: string; payload: { jobId?: string; sessionIds?: string[] } };
    const revoked = (inbox.body as Revoked[]).filter(
      (n) => n.type === 'session_revoked' && n.payload.jobId === jobId,
    );
    expect(revoked).toHaveLength(1); // one per user per job
    expect(revoked[0].payload.sessionIds).toContain(bob.sessionId);

    const audit = async (type: string) =>
      (
        await http.http
          .get(`/admin/audit?type=${type}`)
          .set('Cookie', admin.cookie)
          .set('X-Forwarded-For', INSIDE)
          .expect(200)
      ).body.filter((e: { details: { jobId?: string } }) => e.details?.jobId === jobId);
    expect(await audit('revocation.started')).toHaveLength(1);
    expect(await audit('revocation.batch')).not.toHaveLength(0);
    const [finished] = await audit('revocation.finished');
    expect(finished.details).toMatchObject({ state: 'completed', matched, revoked: matched });
  });
});
