import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { RESOLVED_OPTIONS, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import { TooManyAttemptsException } from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolve-options.js';

/**
 * Counts failed sign-in and re-authentication attempts per username + client IP
 * (rate-limiter-flexible on the shared Redis, so the limit holds across instances; an in-memory
 * limiter insures it while Redis is unreachable).
 *
 * @example
 * await throttle.assertAllowed(username, ip); // 429 past the limit
 * ok ? await throttle.succeeded(username, ip) : await throttle.failed(username, ip);
 */
@Injectable()
export class LoginThrottleService {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(SESSION_SECURITY_REDIS) redis: Redis | null,
  ) {
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
    const current = await this.limiter.get(this.key(username, ip));
    if (current && current.consumedPoints >= this.options.throttle.maxAttempts) {
      throw new TooManyAttemptsException(Math.max(1, Math.ceil(current.msBeforeNext / 1000)));
    }
  }

  /** Counts one failed attempt. */
  async failed(username: string, ip: string): Promise<void> {
    await this.limiter.penalty(this.key(username, ip), 1);
  }

  /** Forgets the failures of this username + IP after a success. */
  async succeeded(username: string, ip: string): Promise<void> {
    await this.limiter.delete(this.key(username, ip));
  }

  private key(username: string, ip: string): string {
    const user = createHash('sha256')
      .update(username.normalize('NFKC').toLowerCase())
      .digest('base64url');
    return `${user}:${ip}`;
  }
}
