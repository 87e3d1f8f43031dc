import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { newRedisClient, type RedisClient, type RedisConnectionConfig } from './redis-clients.js';

/**
 * Opens the module's own Redis connection (a URL, a Cluster or a Sentinel config) and waits for
 * the first connection attempt. Commands fail fast while disconnected (no offline queue), so the
 * session store falls back to the database instead of hanging.
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
  await redis.connect().catch(() => undefined);
  return redis;
}
