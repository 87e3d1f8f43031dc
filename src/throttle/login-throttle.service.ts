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
import type { ResolvedOptions } from '../options/resolved-options.js';
import { LoginLockoutEntity } from './login-lockout.entity.js';

/** One attempt counter: its limiter, its limit and how it names a username + IP. */
interface Counter {
  limiter: RateLimiterAbstract;
  limit: number;
  key(username: string, ip: string): string;
}

/**
 * Counts failed sign-in and re-authentication attempts per username + client IP, and per client
 * IP whatever the username (rate-limiter-flexible on the shared Redis, so the limits hold across
 * instances; an in-memory limiter insures them while Redis is unreachable). A key that reaches
 * its limit is also locked out in the database (`ss_login_lockout`) for the rest of the window,
 * so a Redis that loses its data (a flush, a restart without persistence, a failover) unlocks no
 * one. With `throttle: { enabled: false }` every method does nothing.
 *
 * `SessionLogin` calls it for you; call it by hand only in a sign-in flow of your own.
 *
 * @example
 * await throttle.assertAllowed(username, ip); // 429 past the limit
 * ok ? await throttle.succeeded(username, ip) : await throttle.failed(username, ip);
 */
@Injectable()
export class LoginThrottleService {
  private readonly counters: Counter[];
  private readonly lockouts: Repository<LoginLockoutEntity>;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(SESSION_SECURITY_REDIS) redis: RedisClient | null,
    @Inject(SESSION_SECURITY_DATA_SOURCE) dataSource: DataSource,
  ) {
    this.lockouts = dataSource.getRepository(LoginLockoutEntity);
    const { maxAttempts, maxAttemptsPerIp, windowMs } = options.throttle;
    const limiter = (points: number, name: string): RateLimiterAbstract => {
      const base = { points, duration: Math.ceil(windowMs / 1000) };
      const memory = new RateLimiterMemory({ ...base, keyPrefix: name });
      return redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: redis,
            keyPrefix: `${options.redisKeyPrefix}${name}`,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
    };
    this.counters = [
      { limiter: limiter(maxAttempts, 'login'), limit: maxAttempts, key: userAndIpKey },
      { limiter: limiter(maxAttemptsPerIp, 'login-ip'), limit: maxAttemptsPerIp, key: ipKey },
    ];
  }

  /** Whether attempts are counted at all (`throttle.enabled`, default `true`). */
  get enabled(): boolean {
    return this.options.throttle.enabled;
  }

  /** Throws 429 `too_many_attempts` when this username + IP, or this IP, used up its attempts. */
  async assertAllowed(username: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    for (const counter of this.counters) {
      const key = counter.key(username, ip);
      const current = await counter.limiter.get(key);
      if (current && current.consumedPoints >= counter.limit) {
        throw new TooManyAttemptsException(seconds(current.msBeforeNext));
      }
      const lockout = await this.lockouts.findOneBy({ key });
      const left = lockout ? lockout.lockedUntil - Date.now() : 0;
      if (left > 0) throw new TooManyAttemptsException(seconds(left));
    }
  }

  /** Counts one failed attempt; the one that reaches a limit also locks out in the database. */
  async failed(username: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    for (const counter of this.counters) {
      const key = counter.key(username, ip);
      const result = await counter.limiter.penalty(key, 1);
      if (result.consumedPoints < counter.limit) continue;
      const lockedUntil = Date.now() + (result.msBeforeNext || this.options.throttle.windowMs);
      await this.lockouts.upsert({ key, lockedUntil }, ['key']);
      await this.lockouts.delete({ lockedUntil: LessThanOrEqual(Date.now()) });
    }
  }

  /**
   * Forgets the failures of this username + IP after a success. The per-IP count stays: one
   * good password must not reset what an address spent guessing other usernames.
   */
  async succeeded(username: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    const key = userAndIpKey(username, ip);
    await this.counters[0].limiter.delete(key);
    await this.lockouts.delete({ key });
  }
}

function userAndIpKey(username: string, ip: string): string {
  const user = createHash('sha256')
    .update(username.normalize('NFKC').toLowerCase())
    .digest('base64url');
  return `${user}:${ip}`;
}

function ipKey(_username: string, ip: string): string {
  return `ip:${ip}`;
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
