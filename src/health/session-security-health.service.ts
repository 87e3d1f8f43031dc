import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../common/redis-clients.js';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import { SessionStore } from '../session/session-store.js';

/** Reachability of the module's dependencies. */
export interface SessionSecurityHealthReport {
  ok: boolean;
  database: 'up' | 'down';
  redis: 'up' | 'down' | 'disabled';
  /** Since when requests are validated against the database because the cache failed. */
  cacheFallbackSince: number | null;
}

/**
 * Health of the database and Redis as the module sees them, for a `/health` endpoint.
 *
 * @example const report = await health.check(); res.status(report.ok ? 200 : 503).json(report);
 */
@Injectable()
export class SessionSecurityHealth {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SESSION_SECURITY_REDIS) private readonly redis: RedisClient | null,
    private readonly store: SessionStore,
  ) {}

  async check(): Promise<SessionSecurityHealthReport> {
    const [database, redis] = await Promise.all([
      within(this.dataSource.query('SELECT 1')).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      this.redis
        ? within(this.redis.ping()).then(
            () => 'up' as const,
            () => 'down' as const,
          )
        : Promise.resolve('disabled' as const),
    ]);
    return {
      ok: database === 'up' && redis !== 'down',
      database,
      redis,
      cacheFallbackSince: this.store.cacheUnavailableSince,
    };
  }
}

function within<T>(promise: Promise<T>, ms = 1_500): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}
