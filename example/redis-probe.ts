import { Redis } from 'ioredis';

/**
 * Whether a Redis server answers at `url` within a second (one connection, no retries). Only the
 * operations CLI uses it; the app itself never probes (it runs degraded until Redis answers).
 */
export async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
