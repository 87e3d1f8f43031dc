import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '../common/redis-clients.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { PolicyDecisionRecord } from './decision-log.js';
import { POLICY_CONFIG, type ResolvedPolicyConfig } from './policy-config.js';

const FLUSH_EVERY_MS = 30_000;

/**
 * The opt-in decision log (`policy.decisionLog`): the policy guard hands it every allowed
 * decision; a sampled share (`rate`, default all) goes to the sink as a
 * {@link PolicyDecisionRecord}. It also keeps, for the permission review, when each rule last
 * decided an allow — on every decision, sampled or not — merged across instances in Redis (a
 * sorted set under the key prefix, written every 30 s and at shutdown; in process without Redis).
 * Off (the default), it does nothing and costs one branch.
 *
 * @example
 * if (decisionLog.enabled) decisionLog.allowed({ at, userId, action, subjectType, rule, ... });
 * const lastUse = await decisionLog.lastUsed(); // Map<ruleId, epoch ms>
 */
@Injectable()
export class DecisionLog implements OnApplicationShutdown {
  private readonly logger = new Logger('PolicyDecisions');
  private readonly pending = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private lastSinkError = 0;

  constructor(
    @Inject(POLICY_CONFIG) private readonly config: ResolvedPolicyConfig,
    @Optional() @Inject(RESOLVED_OPTIONS) private readonly options?: ResolvedOptions,
    @Optional() @Inject(SESSION_SECURITY_REDIS) private readonly redis: RedisClient | null = null,
  ) {}

  /** Draws the sampling number of each decision, in [0, 1) (replaceable in tests). */
  random: () => number = Math.random;

  /** Whether `policy.decisionLog` is set. */
  get enabled(): boolean {
    return this.config.decisionLog != null;
  }

  /** Records one allowed decision: its rule's last use, and (if sampled) the record in the sink. */
  allowed(record: PolicyDecisionRecord): void {
    const log = this.config.decisionLog;
    if (!log) return;
    if (record.rule !== null) {
      this.pending.set(record.rule, record.at);
      this.seen.set(record.rule, record.at);
      this.timer ??= setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
    }
    if (log.rate < 1 && this.random() >= log.rate) return;
    try {
      log.sink.write(record);
    } catch (error) {
      if (record.at - this.lastSinkError < 60_000) return;
      this.lastSinkError = record.at;
      this.logger.error(`decision log sink failed: ${(error as Error).message}`);
    }
  }

  /**
   * When each rule last decided an allow, on any instance (epoch ms), or `null` when the decision
   * log is off (nothing was tracked).
   */
  async lastUsed(): Promise<Map<string, number> | null> {
    if (!this.enabled) return null;
    await this.flush();
    const merged = new Map(this.seen);
    if (!this.redis) return merged;
    const flat = await this.redis.zrange(this.key, 0, -1, 'WITHSCORES');
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const at = Number(flat[i + 1]);
      if (at > (merged.get(flat[i]) ?? 0)) merged.set(flat[i], at);
    }
    return merged;
  }

  /** Writes the last uses gathered since the previous flush to Redis (the newest use wins). */
  async flush(): Promise<void> {
    if (!this.redis || this.pending.size === 0) return;
    const args = [...this.pending].flatMap(([rule, at]) => [at, rule]);
    this.pending.clear();
    try {
      await this.redis.zadd(this.key, 'GT', ...args);
    } catch (error) {
      this.logger.warn(`rule use not written to Redis: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private get key(): string {
    return `${this.options?.redisKeyPrefix ?? ''}policy-rule-use`;
  }
}
