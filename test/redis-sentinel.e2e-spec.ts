import { createSchema, query } from './support/database.js';
import { login, type Client, type ExampleInstance } from './support/example-app.js';
import { eventually } from './support/notification-recorder.js';
import { LocalRedisSentinel } from './support/redis-sentinel.js';
import { startExampleOn, topologyEnvironment } from './support/topology-example.js';

/** A response of the stream, with when it came back. */
interface Answer {
  at: number;
  status: number;
}

/**
 * The module behind Sentinel (1 master, 1 replica, 3 sentinels, all local processes) through
 * two example instances, with a forced failover while guarded requests flow.
 */
describe('two example instances behind Redis Sentinel, through a forced failover', () => {
  let sentinel: LocalRedisSentinel;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let admin: Client;

  beforeAll(async () => {
    sentinel = await LocalRedisSentinel.start();
    schema = await createSchema('sentinel');
    const redis = { sentinels: sentinel.sentinels, name: sentinel.name };
    const environment = topologyEnvironment(schema.name, redis);
    a = await startExampleOn(environment);
    b = await startExampleOn(environment);
    admin = await login(a, 'alice');
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sentinel?.stop();
    await schema?.drop();
  });

  const logout = (instance: ExampleInstance, client: Client) =>
    instance.http
      .post('/auth/logout')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
  const revokeUser = (userId: string) =>
    a.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { userIds: [userId] }, reason: 'sentinel test' });
  const jobState = async (jobId: string) =>
    (
      await b.http
        .get(`/admin/session-revocations/${jobId}`)
        .set('Cookie', admin.cookie)
        .expect(200)
    ).body as { state: string; revoked: number };

  it('keeps a logout the replica did not confirm in the database outbox, so a failover cannot lose it', async () => {
    const confirmed = await login(a, 'carol');
    const carol = await login(a, 'carol');
    await b.http.get('/me').set('Cookie', carol.cookie).expect(200);
    const outbox = async () =>
      Number(
        (
          await query<{ n: string }>(`SELECT count(*) AS n FROM "${schema.name}".ss_cache_outbox`)
        )[0].n,
      );
    const before = await outbox();
    await logout(a, confirmed);
    expect(await outbox()).toBe(before);
    await sentinel.pauseReplica();
    try {
      await logout(a, carol);
    } finally {
      sentinel.resumeReplicas();
    }
    expect(await outbox()).toBe(before + 1);
    for (const instance of [a, b]) {
      await instance.http.get('/me').set('Cookie', carol.cookie).expect(401);
    }
  });

  it('accepts no ended session, serves live ones again, and completes a job enqueued during the failover', async () => {
    const live = await login(a, 'bob');
    const loggedOutOnA = await login(b, 'carol');
    const loggedOutOnB = await login(a, 'carol');
    const revoked = await login(b, 'bob');
    for (const client of [live, loggedOutOnA, loggedOutOnB, revoked]) {
      for (const instance of [a, b]) {
        await instance.http.get('/me').set('Cookie', client.cookie).expect(200);
      }
    }
    await logout(a, loggedOutOnA);
    await logout(b, loggedOutOnB);
    await b.http
      .delete(`/me/sessions/${revoked.sessionId}`)
      .set('Cookie', live.cookie)
      .set('X-CSRF-Token', live.csrf)
      .expect(204);

    const ended: Answer[] = [];
    const served: Answer[] = [];
    let streaming = true;
    const ask = async (instance: ExampleInstance, client: Client, into: Answer[]) => {
      const response = await instance.http.get('/me').set('Cookie', client.cookie);
      into.push({ at: Date.now(), status: response.status });
    };
    const stream = (async () => {
      while (streaming) {
        await Promise.all([
          ask(a, loggedOutOnA, ended),
          ask(b, loggedOutOnA, ended),
          ask(a, loggedOutOnB, ended),
          ask(b, revoked, ended),
          ask(a, live, served),
          ask(b, live, served),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 500));
    const windowStart = Date.now();
    const [moved, enqueued] = await Promise.all([sentinel.failover(), revokeUser('3')]);
    const windowEnd = Date.now();
    expect(moved.to).not.toBe(moved.from);
    expect(await sentinel.masterPort()).toBe(moved.to);
    // Live sessions are served again on both instances on the new master.
    await eventually(async () => {
      for (const instance of [a, b]) {
        await instance.http.get('/me').set('Cookie', live.cookie).expect(200);
      }
    }, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    streaming = false;
    await stream;

    // Rounds ran before, during and after the master changed (their pace depends on the machine).
    expect(ended.length).toBeGreaterThanOrEqual(20);
    expect(ended.some((answer) => answer.at >= windowStart && answer.at <= windowEnd)).toBe(true);
    expect(ended.filter((answer) => answer.status === 200)).toEqual([]);
    expect(ended.filter((answer) => answer.status !== 401)).toEqual([]);
    const outside = served.filter((answer) => answer.at < windowStart || answer.at > windowEnd);
    expect(outside.filter((answer) => answer.status >= 500)).toEqual([]);
    const after = served.filter((answer) => answer.at > windowEnd);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((answer) => answer.status !== 200)).toEqual([]);

    // The job enqueued while the master changed completes, and so does one enqueued after.
    expect(enqueued.status).toBe(202);
    const later = await revokeUser('2').expect(202);
    await eventually(async () => {
      expect(await jobState(enqueued.body.jobId)).toMatchObject({ state: 'completed' });
      expect(await jobState(later.body.jobId)).toMatchObject({ state: 'completed' });
    }, 30_000);
    for (const instance of [a, b]) {
      await instance.http.get('/me').set('Cookie', live.cookie).expect(401);
    }
  }, 90_000);
});
