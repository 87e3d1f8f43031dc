import { newRedisClient, type RedisClient, type RedisSource } from './redis-clients.js';
import { closeRedis } from './redis-connection.js';

/**
 * The Redis connections of one Bull queue, opened from the module's Redis (a URL, a Cluster or
 * Sentinel config, or an ioredis client that is duplicated) with the settings Bull requires, and
 * closed together: Bull does not close connections it got from `createClient`.
 *
 * @example
 * const clients = new BullRedisClients('redis://127.0.0.1:6379');
 * const queue = new Bull('jobs', { prefix: 'ss:bull', createClient: () => clients.open() });
 * await queue.close();
 * await clients.closeAll();
 */
export class BullRedisClients {
  private readonly clients: RedisClient[] = [];

  constructor(private readonly redis: RedisSource) {}

  /** A new connection for Bull (`maxRetriesPerRequest: null`, no ready check, offline queue). */
  open(): RedisClient {
    const client = newRedisClient(this.redis, {
      maxRetriesPerRequest: null,
      enableReadyCheck: false,
      enableOfflineQueue: true,
      lazyConnect: false,
      // The module's own connection answers in bounded time; Bull's may block (BRPOPLPUSH).
      commandTimeout: undefined,
      enableAutoPipelining: false,
    });
    this.clients.push(client);
    return client;
  }

  /** Quits every connection opened so far; disconnects those that do not answer in time. */
  async closeAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(
      clients.map((client) => {
        // Bull's close() disconnects its blocking connection and connects it again; one that
        // comes back after this close is dropped again, or it would keep the process alive.
        client.on('ready', () => client.disconnect());
        return closeRedis(client);
      }),
    );
  }
}

/**
 * The Bull key prefix of one queue: `prefix` as given when it already holds a hash tag
 * (`{…}`), else `prefix` followed by the queue name in braces. Bull's scripts touch several keys
 * of one queue at once; the tag puts them in one Redis Cluster slot, and each queue in its own.
 *
 * @example bullQueuePrefix('ss:bull', 'session-security-revocations') // 'ss:bull:{session-security-revocations}'
 */
export function bullQueuePrefix(prefix: string, queue: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `${prefix}:{${queue}}`;
}
