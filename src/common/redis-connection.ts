import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/** How long boot waits for the module's own connection to become ready (ms). */
export const REDIS_CONNECT_WAIT_MS = 1_000;
/** How long closing a connection waits for Redis to acknowledge `QUIT` (ms). */
export const REDIS_QUIT_WAIT_MS = 250;

/**
 * Opens the module's own Redis connection from a URL and waits at most
 * {@link REDIS_CONNECT_WAIT_MS} for it to become ready: a Redis that is down or frozen at boot
 * does not hold up startup, the client keeps reconnecting (bounded backoff) and the session store
 * validates against the database until Redis answers. Commands fail fast while disconnected (no
 * offline queue), so nothing hangs on an absent Redis.
 *
 * @example const redis = await openRedis('redis://127.0.0.1:6379');
 */
export async function openRedis(url: string): Promise<Redis> {
  const logger = new Logger('SessionSecurity');
  const redis = new Redis(url, {
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
export async function closeRedis(client: Redis, waitMs = REDIS_QUIT_WAIT_MS): Promise<void> {
  client.on('error', () => undefined);
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), delay(waitMs)]);
  }
  if ((client.status as string) !== 'end') client.disconnect();
}

/**
 * Checks that a Redis URL is one ioredis reads as meant: `redis://` or `rediss://`, a port if
 * any, a database number if any. Returns the problem, or `null` when it is fine.
 *
 * @example redisUrlProblem('redis://127.0.0.1:6379/10x') // "database '10x' is not a number"
 */
export function redisUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL (expected redis://host:port/db or rediss://...)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `unsupported scheme '${parsed.protocol}' (expected redis: or rediss:)`;
  if (!parsed.hostname) return 'no host';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) return `database '${db}' is not a number`;
  return null;
}

/**
 * A URL with its credentials masked, for messages.
 *
 * @example redactUrl('redis://:secret@host:6379') // 'redis://***@host:6379'
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
