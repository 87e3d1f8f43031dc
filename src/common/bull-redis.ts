import { Redis } from 'ioredis';
import { closeRedis } from './redis-connection.js';

/**
 * The Redis connections of one Bull queue, opened from the module's Redis (a URL, or an ioredis
 * client that is duplicated) with the settings Bull requires, and closed together: Bull does not
 * close connections it got from `createClient`.
 *
 * @example
 * const clients = new BullRedisClients('redis://127.0.0.1:6379');
 * const queue = new Bull('jobs', { prefix: 'ss:bull', createClient: () => clients.open() });
 * await queue.close();
 * await clients.closeAll();
 */
export class BullRedisClients {
  private readonly clients: Redis[] = [];

  constructor(private readonly redis: string | Redis) {}

  /** A new connection for Bull (`maxRetriesPerRequest: null`, no ready check). */
  open(): Redis {
    const settings = { maxRetriesPerRequest: null, enableReadyCheck: false };
    const client =
      typeof this.redis === 'string'
        ? new Redis(this.redis, settings)
        : this.redis.duplicate({ ...settings, enableOfflineQueue: true, lazyConnect: false });
    this.clients.push(client);
    return client;
  }

  /** Quits every connection opened so far; disconnects those that do not answer in time. */
  async closeAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((client) => closeRedis(client)));
  }
}
