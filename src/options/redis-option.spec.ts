import { Cluster, Redis } from 'ioredis';
import { checkRedisOption } from './redis-option.js';

describe('checkRedisOption', () => {
  it.each([
    ['redis://127.0.0.1:6379'],
    ['rediss://cache.internal:6380/2'],
    ['/run/redis.sock'],
    [false],
    [{ cluster: [{ host: '10.0.0.1', port: 7000 }] }],
    [{ cluster: [{ host: '10.0.0.1', port: 7000 }], options: { redisOptions: { password: 'x' } } }],
    [{ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'mymaster' }],
    [new Redis({ lazyConnect: true })],
    [new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true })],
  ])('accepts %p', (value) => {
    expect(checkRedisOption(value)).toEqual([]);
  });

  it.each([
    [undefined, /^redis: required — an ioredis client/],
    ['127.0.0.1:6379', /^redis: is not a URL/],
    [{ host: '127.0.0.1' }, /^redis: must be an ioredis client/],
    [{ cluster: [] }, /^redis\.cluster: at least one node of the cluster/],
    [{ cluster: [{ host: '10.0.0.1', port: 0 }] }, /^redis\.cluster\[0\]\.port: /],
    [{ cluster: [{ host: '10.0.0.1', port: 7000 }], nodes: [] }, /^redis\.nodes: unknown option/],
    [{ sentinels: [{ host: '10.0.0.1', port: 26379 }] }, /^redis\.name: /],
    [{ sentinels: [], name: 'mymaster' }, /^redis\.sentinels: at least one sentinel/],
  ])('refuses %p, naming the problem', (value, message) => {
    const problems = checkRedisOption(value);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
