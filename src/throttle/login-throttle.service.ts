import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { RedisClient } from '../common/redis-clients.js';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { LessThanOrEqual, type DataSource, type Repository } from 'typeorm';
import {
  RESOLVED_OPTIONS,
  SESSION_SECURITY_DATA_SOURCE,
  SESSION_SECURITY_REDIS,
} from '../common/tokens.js';
import { TooManyAttemptsException } from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolve-options.js';
import { LoginLockoutEntity } from './login-lockout.entity.js';

/**
 * Counts failed sign-in and re-authentication attempts per username + client IP
 * (rate-limiter-flexible on the shared Redis, so the limit holds across instances; an in-memory
 * limiter insures it while Redis is unreachable). A username + IP that reaches the limit is also
 * locked out in the database (`ss_login_lockout`) for the rest of the window, so a Redis that
 * loses its data (a flush, a restart without persistence, a failover) unlocks no one.
 *
 * @example
 * await throttle.assertAllowed(username, ip); // 429 past the limit
 * ok ? await throttle.succeeded(username, ip) : await throttle.failed(username, ip);
 */
@Injectable()
export class LoginThrottleService {
  private readonly limiter: RateLimiterAbstract;
  private readonly lockouts: Repository<LoginLockoutEntity>;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(SESSION_SECURITY_REDIS) redis: RedisClient | null,
    @Inject(SESSION_SECURITY_DATA_SOURCE) dataSource: DataSource,
  ) {
    this.lockouts = dataSource.getRepository(LoginLockoutEntity);
    const { maxAttempts, windowMs } = options.throttle;
    const base = { points: maxAttempts, duration: Math.ceil(windowMs / 1000) };
    const memory = new RateLimiterMemory({ ...base, keyPrefix: 'login' });
    this.limiter = redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: redis,
          keyPrefix: `${options.redisKeyPrefix}login`,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
  }

  /** Throws 429 `too_many_attempts` when this username + IP used up its attempts. */
  async assertAllowed(username: string, ip: string): Promise<void> {
    const key = this.key(username, ip);
    const current = await this.limiter.get(key);
    if (current && current.consumedPoints >= this.options.throttle.maxAttempts) {
      throw new TooManyAttemptsException(seconds(current.msBeforeNext));
    }
    const lockout = await this.lockouts.findOneBy({ key });
    const left = lockout ? lockout.lockedUntil - Date.now() : 0;
    if (left > 0) throw new TooManyAttemptsException(seconds(left));
  }

  /** Counts one failed attempt; the one that reaches the limit also locks out in the database. */
  async failed(username: string, ip: string): Promise<void> {
    const key = this.key(username, ip);
    const result = await this.limiter.penalty(key, 1);
    if (result.consumedPoints < this.options.throttle.maxAttempts) return;
    const lockedUntil = Date.now() + (result.msBeforeNext || this.options.throttle.windowMs);
    await this.lockouts.upsert({ key, lockedUntil }, ['key']);
    await this.lockouts.delete({ lockedUntil: LessThanOrEqual(Date.now()) });
  }

  /** Forgets the failures of this username + IP after a success. */
  async succeeded(username: string, ip: string): Promise<void> {
    const key = this.key(username, ip);
    await this.limiter.delete(key);
    await this.lockouts.delete({ key });
  }

  private key(username: string, ip: string): string {
    const user = createHash('sha256')
      .update(username.normalize('NFKC').toLowerCase())
      .digest('base64url');
    return `${user}:${ip}`;
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
