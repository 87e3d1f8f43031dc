import { Cluster, Redis } from 'ioredis';
import { bullQueuePrefix } from './bull-redis.js';
import { duplicateRedis, hasFailover, isCluster, newRedisClient } from './redis-clients.js';

describe('newRedisClient', () => {
  const opened: Array<Redis | Cluster> = [];
  afterAll(() => opened.forEach((client) => client.disconnect()));
  const open = <T extends Redis | Cluster>(client: T): T => (opened.push(client), client);

  it('builds a Cluster from a cluster config: cluster-wide settings on it, the rest on every node', () => {
    const client = open(
      newRedisClient(
        {
          cluster: [{ host: '127.0.0.1', port: 7000 }],
          options: { redisOptions: { password: 'p' } },
        },
        {
          lazyConnect: true,
          enableReadyCheck: false,
          maxRetriesPerRequest: null,
          commandTimeout: 5,
        },
      ),
    ) as Cluster;
    expect(isCluster(client)).toBe(true);
    expect(client.options).toMatchObject({ lazyConnect: true, enableReadyCheck: false });
    expect(client.options.redisOptions).toMatchObject({
      password: 'p',
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      commandTimeout: 5,
    });
    expect(client.options.redisOptions).not.toHaveProperty('lazyConnect');
  });

  it('duplicates a Cluster as a Cluster on the same nodes', () => {
    const original = open(new Cluster([{ host: '127.0.0.1', port: 7001 }], { lazyConnect: true }));
    const copy = open(duplicateRedis(original, { enableOfflineQueue: true })) as Cluster;
    expect(isCluster(copy)).toBe(true);
    expect(copy.options.enableOfflineQueue).toBe(true);
  });

  it('builds a Sentinel client that asks the sentinels for the named master', () => {
    const client = open(
      newRedisClient(
        { sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'mymaster' },
        { lazyConnect: true },
      ),
    ) as Redis;
    expect(isCluster(client)).toBe(false);
    expect(client.options).toMatchObject({
      name: 'mymaster',
      sentinels: [{ host: '127.0.0.1', port: 26379 }],
      failoverDetector: true,
    });
  });
});

describe('hasFailover', () => {
  const lazy = { lazyConnect: true };
  const clients: Array<Redis | Cluster> = [];
  afterAll(() => clients.forEach((client) => client.disconnect()));

  it('is true for Sentinel and Cluster (configs and clients), false for one server or none', () => {
    const sentinelClient = new Redis({
      ...lazy,
      sentinels: [{ host: '127.0.0.1', port: 1 }],
      name: 'm',
    });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], lazy);
    const single = new Redis(lazy);
    clients.push(sentinelClient, cluster, single);
    expect(hasFailover({ sentinels: [{ host: 'h', port: 1 }], name: 'm' })).toBe(true);
    expect(hasFailover({ cluster: [{ host: 'h', port: 1 }] })).toBe(true);
    expect(hasFailover(sentinelClient)).toBe(true);
    expect(hasFailover(cluster)).toBe(true);
    expect(hasFailover(single)).toBe(false);
    expect(hasFailover('redis://127.0.0.1:6379')).toBe(false);
    expect(hasFailover(false)).toBe(false);
  });
});

describe('bullQueuePrefix', () => {
  it('adds the queue name as hash tag, unless the prefix already has one', () => {
    expect(bullQueuePrefix('ss:bull', 'jobs')).toBe('ss:bull:{jobs}');
    expect(bullQueuePrefix('{app}:bull', 'jobs')).toBe('{app}:bull');
  });
});
