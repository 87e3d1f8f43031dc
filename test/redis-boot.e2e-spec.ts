import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { readConfig } from '../example/config.js';
import { createExampleApp } from '../example/create-app.js';
import { hashToken } from '../src/session/session-token.js';
import { TEST_DATABASE_URL, createSchema, openModuleDatabase, query } from './support/database.js';
import {
  Client,
  ExampleEnvironment,
  ExampleInstance,
  adapterEnv,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';
import { startPermissionApp } from './support/permission-app.js';
import { PrivateRedis } from './support/private-redis.js';

/**
 * An instance that starts while its Redis does not answer runs in shared mode, degraded: it
 * says so in /health, validates sessions against the database, and takes up Redis again once it
 * answers, without a restart. Single-instance mode is only what the operator configures.
 */
jest.setTimeout(90_000);

/** What boot and shutdown may take beyond a normal boot with Redis answering (ms). */
const BOOT_MARGIN_MS = 3_000;
const CLOSE_BOUND_MS = 3_000;

type Timed<T> = { value: T; ms: number };

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

const me = (instance: ExampleInstance, client: Client) =>
  instance.http.get('/me').set('Cookie', client.cookie);
const logout = (instance: ExampleInstance, client: Client) =>
  instance.http.post('/auth/logout').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);

async function outboxRows(schema: string): Promise<number> {
  const [row] = await query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ss_cache_outbox`);
  return Number(row.n);
}

/** Polls `/health` until it answers `status`, or fails after `ms`. */
async function healthBecomes(instance: ExampleInstance, status: number, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    const response = await instance.http.get('/health');
    if (response.status === status) return response;
    if (Date.now() > until) throw new Error(`/health still ${response.status}: ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('two instances that boot while their Redis is down', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let redis: PrivateRedis;
  let environment: ExampleEnvironment;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('redis_boot');
    redis = await PrivateRedis.start();
    await redis.stop();
    environment = { ...newEnvironment(schema.name), redisUrl: redis.url };
    a = await startExample(environment);
    b = await startExample(environment);
  });
  afterAll(async () => {
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await redis?.stop();
    await schema?.drop();
  });

  it('report degraded shared mode in /health with 503, naming Redis', async () => {
    const response = await b.http.get('/health').expect(503);
    expect(response.body).toMatchObject({
      statusCode: 503,
      error: 'service_unavailable',
      redis: 'down',
      mode: 'shared',
      database: 'up',
    });
    expect(response.body.message).toContain('redis');
    expect(typeof response.body.cacheFallbackSince).toBe('number');
  });

  it('refuse on B a session logged out on A', async () => {
    const bob = await login(a, 'bob');
    for (const instance of [a, b, b]) await me(instance, bob).expect(200);
    await logout(a, bob).expect(204);
    const denied = await me(b, bob).expect(401);
    expect(denied.body.error).toBe('session_revoked');
    await me(a, bob).expect(401);
    // B cannot apply A's outbox row to Redis, so it does not trust Redis snapshots either.
    const health = await b.http.get('/health').expect(503);
    expect(typeof health.body.cacheDistrustedSince).toBe('number');
    expect(health.body.cacheDistrustedSince).toBeLessThanOrEqual(Date.now());
  });

  it('take Redis up again once it answers: /health 200 and the shared cache in use', async () => {
    const carol = await login(a, 'carol');
    await me(b, carol).expect(200);
    await redis.start();
    const healthy = await healthBecomes(b, 200, 10_000);
    expect(healthy.body).toMatchObject({
      redis: 'up',
      mode: 'shared',
      cacheFallbackSince: null,
      cacheDistrustedSince: null,
    });
    await healthBecomes(a, 200, 10_000);

    const direct = new Redis(redis.url);
    try {
      const live = `${environment.redisKeyPrefix}{ss}:s:${hashToken(carol.token)}`;
      await direct.del(live);
      await me(b, carol).expect(200);
      expect(await direct.exists(live)).toBe(1);

      const before = await outboxRows(schema.name);
      await logout(a, carol).expect(204);
      expect(await outboxRows(schema.name)).toBe(before);
      expect(
        await direct.exists(`${environment.redisKeyPrefix}{ss}:x:${hashToken(carol.token)}`),
      ).toBe(1);
      expect((await me(b, carol).expect(401)).body.error).toBe('session_revoked');
    } finally {
      direct.disconnect();
    }
  });
});

describe('boot and shutdown while Redis is frozen or gone', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let redis: PrivateRedis;
  let environment: ExampleEnvironment;
  let normalBootMs = 0;

  beforeAll(async () => {
    schema = await createSchema('redis_frozen');
    redis = await PrivateRedis.start();
    environment = { ...newEnvironment(schema.name), redisUrl: redis.url };
    // The second boot is the normal one: the first also loads and compiles what it imports.
    for (let i = 0; i < 2; i++) {
      const boot = await timed(() => startExample(environment));
      normalBootMs = boot.ms;
      await boot.value.close();
    }
  });
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
    await schema?.drop();
  });

  it('listens within a bound with Redis frozen, serves from the database and closes in time', async () => {
    redis.pause();
    try {
      const boot = await timed(() => startExample(environment));
      const instance = boot.value;
      try {
        expect(boot.ms).toBeLessThan(normalBootMs + BOOT_MARGIN_MS);
        const health = await instance.http.get('/health').expect(503);
        expect(health.body).toMatchObject({ redis: 'down', mode: 'shared' });
        const bob = await login(instance, 'bob');
        await me(instance, bob).expect(200);
        await logout(instance, bob).expect(204);
        await me(instance, bob).expect(401);
      } finally {
        const close = await timed(() => instance.close());
        expect(close.ms).toBeLessThan(CLOSE_BOUND_MS);
      }
    } finally {
      redis.resume();
    }
  });

  it('closes in time and without an error when Redis froze after boot', async () => {
    const instance = await startExample(environment);
    await instance.http.get('/health').expect(200);
    redis.pause();
    try {
      const close = await timed(() => instance.close());
      expect(close.ms).toBeLessThan(CLOSE_BOUND_MS);
    } finally {
      redis.resume();
    }
  });

  it('closes in time and without an error when Redis went away after boot', async () => {
    const instance = await startExample(environment);
    await instance.http.get('/health').expect(200);
    await redis.stop();
    const errors: unknown[] = [];
    const record = (error: unknown) => errors.push(error);
    process.on('uncaughtException', record);
    try {
      await instance.http.get('/health').expect(503);
      const close = await timed(() => instance.close());
      expect(close.ms).toBeLessThan(CLOSE_BOUND_MS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      await redis.start();
    }
  });
});

describe('shutdown of an app whose own Redis client was closed first', () => {
  it('closes without an error and in time', async () => {
    const schema = await createSchema('redis_closed_client');
    const dataSource = await openModuleDatabase(schema.name);
    const redis = await PrivateRedis.start();
    const client = new Redis(redis.url);
    try {
      const app = await startPermissionApp(dataSource, newEnvironment(schema.name).redisKeyPrefix, {
        redis: client,
      });
      await client.quit();
      const close = await timed(() => app.close());
      expect(close.ms).toBeLessThan(CLOSE_BOUND_MS);
    } finally {
      client.disconnect();
      await redis.stop();
      await dataSource.destroy();
      await schema.drop();
    }
  });
});

describe('the redis option at startup', () => {
  it('runs single-instance mode only when configured (REDIS_URL=off), healthy', async () => {
    const schema = await createSchema('redis_off');
    const instance = await startExample(newEnvironment(schema.name, { REDIS_URL: 'off' }));
    try {
      const health = await instance.http.get('/health').expect(200);
      expect(health.body).toMatchObject({ redis: 'disabled', mode: 'single-instance' });
    } finally {
      await instance.close();
      await schema.drop();
    }
  });

  it('refuses a malformed Redis URL with an error naming the redis option', async () => {
    const config = readConfig({
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379/10x',
      SESSION_SECRET: 'a'.repeat(43),
      ...adapterEnv(),
    });
    const schema = await createSchema('redis_bad_url');
    try {
      await expect(
        createExampleApp(config, { schema: schema.name, logger: false }),
      ).rejects.toThrow(/redis/);
    } finally {
      await schema.drop();
    }
  });
});
