import { jest } from '@jest/globals';
import { createSchema } from './support/database.js';
import {
  Client,
  ExampleEnvironment,
  ExampleInstance,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';
import { PrivateRedis } from './support/private-redis.js';
import { StallProxy } from './support/stall-proxy.js';

type Freeze = 'SIGSTOP' | 'DEBUG SLEEP';

/**
 * Invariant 5 while Redis is frozen for the instance that revokes: once the revoking call has
 * returned, no instance serves the session again, whether or not it noticed the stall.
 */
jest.setTimeout(60_000);

describe('revocations during a Redis stall, on two instances', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let redis: PrivateRedis;
  let environment: ExampleEnvironment;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let admin: Client;

  beforeAll(async () => {
    schema = await createSchema('stall');
    redis = await PrivateRedis.start();
    environment = { ...newEnvironment(schema.name), redisUrl: redis.url };
    a = await startExample(environment);
    b = await startExample(environment);
    admin = await login(a, 'alice');
  });
  afterAll(async () => {
    redis?.resume();
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await redis?.stop();
    await schema?.drop();
  });

  const me = (instance: ExampleInstance, client: Client) =>
    instance.http.get('/me').set('Cookie', client.cookie);
  const unsafe = (request: ReturnType<ExampleInstance['http']['post']>, client: Client) =>
    request.set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);

  /** A session both instances have served, so each holds a cached snapshot of it. */
  async function warm(username: string): Promise<Client> {
    const client = await login(a, username);
    for (const instance of [a, b, b]) await me(instance, client).expect(200);
    return client;
  }

  /** Runs `call` with Redis frozen the given way and returns once Redis answers again. */
  async function duringFreeze(kind: Freeze, call: () => Promise<unknown>): Promise<void> {
    if (kind === 'SIGSTOP') redis.pause();
    else await redis.freeze(2.5);
    await call();
    redis.resume();
    await redis.answering();
  }

  /** Probes for `ms` after the revoking call returned; counts the answers that served it. */
  async function served(ms: number, probes: Array<() => PromiseLike<{ status: number }>>) {
    let ok = 0;
    let total = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const probe of probes) {
        total += 1;
        if ((await probe()).status < 300) ok += 1;
      }
    }
    return { ok, total };
  }

  it.each<Freeze>(['SIGSTOP', 'DEBUG SLEEP'])(
    'a logout on A is refused on B from its return on (Redis frozen by %s)',
    async (kind) => {
      const bob = await warm('bob');
      await duringFreeze(kind, () => unsafe(a.http.post('/auth/logout'), bob).expect(204));
      const count = await served(3_500, [() => me(b, bob), () => me(a, bob)]);
      expect(count.total).toBeGreaterThan(2);
      expect(count).toEqual({ ok: 0, total: count.total });
      expect((await me(b, bob)).body.error).toBe('session_revoked');
    },
  );

  it('a disable on A ends the session on B from its return on', async () => {
    const carol = await warm('carol');
    await duringFreeze('SIGSTOP', () =>
      unsafe(a.http.post('/admin/users/3/disable'), admin).expect(204),
    );
    const count = await served(3_500, [() => me(b, carol)]);
    expect(count.total).toBeGreaterThan(2);
    expect(count).toEqual({ ok: 0, total: count.total });
  });

  it('a logout survives the writer restarting before Redis answers again', async () => {
    const bob = await warm('bob');
    redis.pause();
    await unsafe(a.http.post('/auth/logout'), bob).expect(204);
    const closing = a.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    redis.resume();
    await redis.answering();
    await closing;
    a = await startExample(environment);
    const count = await served(3_000, [() => me(b, bob), () => me(a, bob)]);
    expect(count.total).toBeGreaterThan(2);
    expect(count).toEqual({ ok: 0, total: count.total });
  });

  it('a demoted editor is asked to re-authenticate on B from the return on', async () => {
    admin = await login(a, 'alice');
    const bob = await warm('bob');
    const edit = () => unsafe(b.http.patch('/articles/1'), bob).send({ title: 'stale' });
    await edit().expect(200);
    await duringFreeze('DEBUG SLEEP', () =>
      unsafe(a.http.put('/admin/users/2/roles'), admin)
        .send({ roles: ['viewer'] })
        .expect(200),
    );
    const count = await served(3_500, [edit]);
    expect(count.total).toBeGreaterThan(2);
    expect(count).toEqual({ ok: 0, total: count.total });
    const denied = await edit().expect(401);
    expect(denied.body).toMatchObject({ error: 'reauth_required', reason: 'permissions_changed' });
  });
});

describe('a revocation on an instance whose own link to Redis stalls', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let redis: PrivateRedis;
  let proxy: StallProxy;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('stall_link');
    redis = await PrivateRedis.start();
    proxy = await StallProxy.start(redis.port);
    const environment = { ...newEnvironment(schema.name), redisUrl: redis.url };
    a = await startExample({ ...environment, redisUrl: proxy.url });
    b = await startExample(environment);
  });
  afterAll(async () => {
    proxy?.resume();
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await proxy?.close();
    await redis?.stop();
    await schema?.drop();
  });

  it('is enforced by an instance that kept Redis, while the writer is still cut off', async () => {
    const bob = await login(a, 'bob');
    for (const instance of [a, b, b]) {
      await instance.http.get('/me').set('Cookie', bob.cookie).expect(200);
    }
    proxy.pause();
    await a.http
      .post('/auth/logout')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .expect(204);
    let served = 0;
    let total = 0;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      total += 1;
      if ((await b.http.get('/me').set('Cookie', bob.cookie)).status < 300) served += 1;
    }
    proxy.resume();
    expect(total).toBeGreaterThan(2);
    expect({ served, total }).toEqual({ served: 0, total });
    await a.http.get('/me').set('Cookie', bob.cookie).expect(401);
  });
});
