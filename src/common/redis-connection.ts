import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { newRedisClient, type RedisClient, type RedisConnectionConfig } from './redis-clients.js';

/** How long boot waits for the module's own connection to become ready (ms). */
export const REDIS_CONNECT_WAIT_MS = 1_000;
/** How long closing a connection waits for Redis to acknowledge `QUIT` (ms). */
export const REDIS_QUIT_WAIT_MS = 250;

/**
 * Opens the module's own Redis connection (a URL, a Cluster or a Sentinel config) and waits at
 * most {@link REDIS_CONNECT_WAIT_MS} for it to become ready: a Redis that is down or frozen at
 * boot does not hold up startup, the client keeps reconnecting (bounded backoff) and the session
 * store validates against the database until Redis answers. Commands fail fast while
 * disconnected (no offline queue), so nothing hangs on an absent Redis.
 *
 * @example const redis = await openRedis('redis://127.0.0.1:6379');
 */
export async function openRedis(url: string): Promise<Redis>;
export async function openRedis(config: RedisConnectionConfig): Promise<RedisClient>;
export async function openRedis(config: RedisConnectionConfig): Promise<RedisClient> {
  const logger = new Logger('SessionSecurity');
  const redis = newRedisClient(config, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: true,
    // Commands issued in the same tick (one per concurrent request) go out in one write.
    enableAutoPipelining: true,
  });
  let reported = false;
  redis.on('error', (error) => {
    if (!reported) logger.warn(`redis: ${error.message}`);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  const connecting = redis.connect().catch(() => undefined);
  await Promise.race([connecting, delay(REDIS_CONNECT_WAIT_MS)]);
  if (redis.status !== 'ready') {
    logger.warn(
      `redis: not ready at startup (${redis.status}); sessions are read from the database until it answers`,
    );
  }
  return redis;
}

/**
 * Closes a connection without waiting on Redis longer than `waitMs`: `QUIT` when Redis answers,
 * a plain disconnect otherwise. Never throws, also for a client that is already closed.
 *
 * @example await closeRedis(client);
 */
export async function closeRedis(client: RedisClient, waitMs = REDIS_QUIT_WAIT_MS): Promise<void> {
  client.on('error', () => undefined);
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), delay(waitMs)]);
  }
  if ((client.status as string) !== 'end') client.disconnect();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
