import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../common/redis-clients.js';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import { SessionStore } from '../session/session-store.js';

/** Reachability of the module's dependencies and how this instance validates sessions. */
export interface SessionSecurityHealthReport {
  /**
   * `false` when the database or a configured Redis does not answer, or when sessions are
   * validated against the database because the shared cache failed (degraded): a load balancer
   * should take the instance out of rotation (it stays correct, only slower).
   */
  ok: boolean;
  database: 'up' | 'down';
  /** `disabled` only with `redis: false`. */
  redis: 'up' | 'down' | 'disabled';
  /** `shared` with Redis configured (reachable or not), `single-instance` with `redis: false`. */
  mode: 'shared' | 'single-instance';
  /** Since when (epoch ms) requests are validated against the database because the cache failed. */
  cacheFallbackSince: number | null;
  /**
   * Since when (epoch ms) this instance does not trust its Redis snapshots because its last
   * check of the database's invalidations is out of date (it then reads the database); `null`
   * while it trusts them.
   */
  cacheDistrustedSince: number | null;
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
    const cacheFallbackSince = this.store.cacheUnavailableSince;
    return {
      ok: database === 'up' && redis !== 'down' && cacheFallbackSince === null,
      database,
      redis,
      mode: this.store.sharedCache ? 'shared' : 'single-instance',
      cacheFallbackSince,
      cacheDistrustedSince: this.store.cacheDistrustedSince,
    };
  }
}

function within<T>(promise: Promise<T>, ms = 1_500): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}
