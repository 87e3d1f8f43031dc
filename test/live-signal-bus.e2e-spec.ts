import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { openRedis } from '../src/common/redis-connection.js';
import { RedisLiveSignalBus } from '../src/live/live-signal-bus.js';
import type { LiveSignal } from '../src/live/live-signal.js';
import { TEST_REDIS_URL } from './support/database.js';
import { PrivateRedis } from './support/private-redis.js';

function recorder(bus: RedisLiveSignalBus) {
  const got: Array<LiveSignal | 'reconnected'> = [];
  const waiters: Array<() => void> = [];
  bus.onSignal((signal) => {
    got.push(signal);
    waiters.splice(0).forEach((wake) => wake());
  });
  const until = async (count: number) => {
    while (got.length < count) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { got, until };
}

describe('RedisLiveSignalBus on the shared Redis', () => {
  const prefix = `test:bus:${randomBytes(4).toString('hex')}:`;
  const connections: Redis[] = [];
  const buses: RedisLiveSignalBus[] = [];
  async function bus(keyPrefix = prefix): Promise<RedisLiveSignalBus> {
    const redis = await openRedis(TEST_REDIS_URL);
    connections.push(redis);
    const created = new RedisLiveSignalBus(redis, keyPrefix);
    await created.start();
    buses.push(created);
    return created;
  }
  afterAll(async () => {
    for (const b of buses) await b.close();
    for (const c of connections) await c.quit();
  });

  it('delivers a signal to the other instances of the same prefix only, never back to itself', async () => {
    const a = await bus();
    const b = await bus();
    const other = await bus(`${prefix}other:`);
    const onA = recorder(a);
    const onB = recorder(b);
    const onOther = recorder(other);
    await a.publish({ scope: 'session', value: 's-1' });
    await onB.until(1);
    expect(onB.got).toEqual([{ scope: 'session', value: 's-1' }]);
    await b.publish({ scope: 'all' });
    await onA.until(1);
    expect(onA.got).toEqual([{ scope: 'all' }]);
    expect(onB.got).toHaveLength(1);
    expect(onOther.got).toEqual([]);
  });

  it('ignores malformed messages on its channel', async () => {
    const a = await bus();
    const onA = recorder(a);
    await connections[0].publish(`${prefix}{ss}:live`, 'garbage');
    await connections[0].publish(`${prefix}{ss}:live`, '{"scope":"user"}');
    await connections[0].publish(`${prefix}{ss}:live`, '{"scope":"user","value":"u-9"}');
    await onA.until(1);
    expect(onA.got).toEqual([{ scope: 'user', value: 'u-9' }]);
  });
});

describe('RedisLiveSignalBus when Redis goes away', () => {
  let redis: PrivateRedis;
  let client: Redis;
  let bus: RedisLiveSignalBus;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    client = await openRedis(redis.url);
    bus = new RedisLiveSignalBus(client, 'test:');
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('publishing while Redis is down fails quietly, and a reconnect asks for a full re-check', async () => {
    const seen = recorder(bus);
    await redis.stop();
    await expect(bus.publish({ scope: 'all' })).resolves.toBeUndefined();
    await redis.start();
    await seen.until(1);
    expect(seen.got).toEqual(['reconnected']);
  });
});

describe('RedisLiveSignalBus started while Redis is down', () => {
  let redis: PrivateRedis;
  const clients: Redis[] = [];
  const buses: RedisLiveSignalBus[] = [];
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    await redis.stop();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it('starts at once, asks for a re-check when Redis answers, and then receives signals', async () => {
    const client = await openRedis(redis.url);
    clients.push(client);
    const late = new RedisLiveSignalBus(client, 'test:late:');
    buses.push(late);
    const started = Date.now();
    await late.start();
    expect(Date.now() - started).toBeLessThan(500);
    const seen = recorder(late);

    await redis.start();
    await seen.until(1);
    expect(seen.got).toEqual(['reconnected']);

    const otherClient = await openRedis(redis.url);
    clients.push(otherClient);
    const other = new RedisLiveSignalBus(otherClient, 'test:late:');
    buses.push(other);
    await other.start();
    // The late bus subscribes once it connects; publish until it hears one.
    for (let i = 0; seen.got.length < 2 && i < 50; i++) {
      await other.publish({ scope: 'user', value: 'u-late' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.got[1]).toEqual({ scope: 'user', value: 'u-late' });
  });
});
