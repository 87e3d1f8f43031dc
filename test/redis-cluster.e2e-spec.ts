import type { Cluster } from 'ioredis';
import { openRedis } from '../src/common/redis-connection.js';
import type { RedisClient } from '../src/common/redis-clients.js';
import { RedisLiveSignalBus } from '../src/live/live-signal-bus.js';
import type { LiveSignal } from '../src/live/live-signal.js';
import { createSchema, query } from './support/database.js';
import { login, type Client, type ExampleInstance } from './support/example-app.js';
import { eventually } from './support/notification-recorder.js';
import { LocalRedisCluster } from './support/redis-cluster.js';
import {
  startExampleOn,
  topologyEnvironment,
  type TopologyEnvironment,
} from './support/topology-example.js';

/**
 * The module on a real Redis Cluster (6 local `redis-server` processes, 3 masters + 3 replicas):
 * its cache scripts, Bull queues, pub/sub and login throttling, through two example instances.
 */
let cluster: LocalRedisCluster;
beforeAll(async () => {
  cluster = await LocalRedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('two example instances on a Redis Cluster', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let environment: TopologyEnvironment;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let admin: Client;

  beforeAll(async () => {
    schema = await createSchema('cluster');
    environment = topologyEnvironment(schema.name, { cluster: cluster.nodes });
    a = await startExampleOn(environment);
    b = await startExampleOn(environment);
    admin = await login(a, 'alice');
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const sql = <T>(text: string, params: unknown[] = []) =>
    query<T>(text.replaceAll('$schema', `"${schema.name}"`), params);

  it('serves a session signed in on A on B, and refuses it on B once logged out on A', async () => {
    const bob = await login(a, 'bob');
    await b.http.get('/me').set('Cookie', bob.cookie).expect(200);
    await b.http.get('/me').set('Cookie', bob.cookie).expect(200);
    await a.http
      .post('/auth/logout')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .expect(204);
    const denied = await b.http.get('/me').set('Cookie', bob.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');
    await a.http.get('/me').set('Cookie', bob.cookie).expect(401);
  });

  it('runs a bulk revocation job through Bull to completed, and both instances refuse its sessions', async () => {
    const carol = await login(b, 'carol');
    await a.http.get('/me').set('Cookie', carol.cookie).expect(200);
    const started = await a.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { userIds: ['3'] }, reason: 'cluster test' })
      .expect(202);
    expect(started.body.matched).toBe(1);
    await eventually(async () => {
      const job = await b.http
        .get(`/admin/session-revocations/${started.body.jobId}`)
        .set('Cookie', admin.cookie)
        .expect(200);
      expect(job.body).toMatchObject({ state: 'completed', revoked: 1 });
    }, 20_000);
    const [row] = await sql<{ revokedAt: string | null }>(
      'SELECT "revokedAt" FROM $schema.ss_session WHERE id = $1',
      [carol.sessionId],
    );
    expect(row.revokedAt).not.toBeNull();
    for (const instance of [a, b]) {
      await instance.http.get('/me').set('Cookie', carol.cookie).expect(401);
    }
  });

  it('runs a permission-change job through Bull and delivers its reauth_required notification', async () => {
    const bob = await login(b, 'bob');
    await a.http
      .put('/admin/users/2/roles')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ roles: ['viewer'] })
      .expect(200);
    const denied = await b.http.get('/me').set('Cookie', bob.cookie).expect(401);
    expect(denied.body.error).toBe('reauth_required');
    await eventually(async () => {
      const changes = await sql<{ state: string }>(
        `SELECT state FROM $schema.ss_permission_change WHERE "userId" = '2'`,
      );
      expect(changes.map((change) => change.state)).toEqual(['done']);
      const deliveries = await sql<{ status: string }>(
        `SELECT d.status FROM $schema.ss_notification_delivery d
           JOIN $schema.ss_notification n ON n.id = d."notificationId"
          WHERE n."userId" = '2' AND n.type = 'reauth_required'`,
      );
      expect(deliveries.map((delivery) => delivery.status)).toContain('delivered');
    }, 20_000);
  });

  it('counts failed sign-ins of one user across instances in the cluster (3 on A + 2 on B lock out)', async () => {
    const fail = (instance: ExampleInstance) =>
      instance.http.post('/auth/login').send({ username: 'carol', password: 'wrong' });
    for (let i = 0; i < 3; i++) expect((await fail(a)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await fail(b)).status).toBe(401);
    const locked = await a.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('too_many_attempts');
  });

  it('keeps a logout the replica of the cache slot did not confirm in the database outbox', async () => {
    const outbox = async () =>
      Number((await sql<{ n: string }>('SELECT count(*) AS n FROM $schema.ss_cache_outbox'))[0].n);
    const logout = (client: Client) =>
      a.http
        .post('/auth/logout')
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf)
        .expect(204);
    const confirmed = await login(a, 'bob');
    const unconfirmed = await login(a, 'bob');
    for (const client of [confirmed, unconfirmed]) {
      await b.http.get('/me').set('Cookie', client.cookie).expect(200);
    }
    const before = await outbox();
    await logout(confirmed);
    expect(await outbox()).toBe(before);
    await cluster.pauseReplicaOf(`${environment.redisKeyPrefix}{ss}:epochs`);
    try {
      await logout(unconfirmed);
    } finally {
      cluster.resumeAll();
    }
    expect(await outbox()).toBe(before + 1);
    for (const client of [confirmed, unconfirmed]) {
      for (const instance of [a, b]) {
        await instance.http.get('/me').set('Cookie', client.cookie).expect(401);
      }
    }
  });

  it('keeps every key a script or Bull touches in hash-tagged slots: the cache in {ss}, each queue in its own', async () => {
    const client = (await openRedis({ cluster: cluster.nodes })) as Cluster;
    try {
      const keys: string[] = [];
      for (const node of client.nodes('master')) {
        keys.push(...(await node.keys(`${environment.redisKeyPrefix}*`)));
      }
      const cache = keys.filter((key) => key.startsWith(`${environment.redisKeyPrefix}{ss}:`));
      const bull = keys.filter((key) => key.startsWith(`${environment.redisKeyPrefix}bull:`));
      expect(cache.some((key) => key.endsWith(':epochs'))).toBe(true);
      expect(cache.some((key) => key.includes('{ss}:x:'))).toBe(true);
      const tags = new Set(bull.map((key) => /\{([^}]+)\}/.exec(key)?.[1]));
      expect(tags).toEqual(
        new Set([
          'session-security-revocations',
          'session-security-permission-changes',
          'session-security-notifications',
        ]),
      );
    } finally {
      await client.quit();
    }
  });
});

describe('the live signal bus on a Redis Cluster', () => {
  const connections: RedisClient[] = [];
  const buses: RedisLiveSignalBus[] = [];

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    for (const connection of connections) await connection.quit();
  });

  async function bus(): Promise<RedisLiveSignalBus> {
    const redis = await openRedis({ cluster: cluster.nodes });
    connections.push(redis);
    const created = new RedisLiveSignalBus(redis, 'test:');
    await created.start();
    buses.push(created);
    return created;
  }

  it('delivers a revocation published on one instance to the other, whichever node each uses', async () => {
    const [sender, receiver] = [await bus(), await bus()];
    const received: Array<LiveSignal | 'reconnected'> = [];
    receiver.onSignal((signal) => received.push(signal));
    await sender.publish({ scope: 'session', value: 'token-hash-1' });
    await eventually(() => expect(received).toEqual([{ scope: 'session', value: 'token-hash-1' }]));
  });
});
