import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource, LessThan, MoreThan, type Repository } from 'typeorm';
import { serialTransaction } from '../common/serial-transaction.js';
import { CacheInvalidationCounterEntity } from './cache-invalidation-counter.entity.js';
import { CacheOutboxEntity } from './cache-outbox.entity.js';
import type { SessionCache } from './session-cache.interface.js';

/** How long a completed check lets an instance answer from its Redis snapshots (ms). */
export const CACHE_FRESHNESS_MS = 1_000;
/** How often every instance checks the database for invalidations Redis did not get (ms). */
export const CACHE_CHECK_EVERY_MS = 200;
/** Outbox rows applied per query while catching up. */
const BATCH = 500;
/** How often (at most) a watch deletes the outbox rows past their retention (ms). */
export const OUTBOX_PRUNE_EVERY_MS = 60_000;

/**
 * How long outbox rows are kept: a row older than the absolute session timeout can only concern
 * sessions that have expired anyway, so any instance may delete it.
 */
export interface OutboxRetention {
  /** Rows created (wall clock) more than this long ago are deleted. */
  olderThanMs: number;
  /** Wall-clock time in ms (the rows' `createdAt`). */
  wallNow(): number;
}

/** Timing of the watch; real monotonic time unless a test passes its own. */
export interface WatchTiming {
  now(): number;
  freshnessMs: number;
  checkEveryMs: number;
}

const realTiming: WatchTiming = {
  now: () => performance.now(),
  freshnessMs: CACHE_FRESHNESS_MS,
  checkEveryMs: CACHE_CHECK_EVERY_MS,
};

/**
 * Keeps every instance's use of the shared cache within a bound of the database's invalidations.
 * A writer that cannot reach Redis records its invalidation in the outbox under the next number
 * of a database sequence and returns only {@link CacheInvalidationWatch.outlast} later. Every
 * instance applies the outbox rows past the last number it applied, to Redis, every
 * `checkEveryMs` and at startup; it answers from a Redis snapshot only while its last complete
 * check started less than `freshnessMs` ago. So once a revoking call has returned, each instance
 * has either applied its invalidation to Redis or stopped trusting Redis (and reads the database).
 */
export class CacheInvalidationWatch {
  private readonly logger = new Logger('SessionSecurity');
  private applied = 0;
  private freshSince = Number.NEGATIVE_INFINITY;
  /** When the watch was created: it has not trusted Redis before its first complete check. */
  private readonly createdAt: number;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private failing = false;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: SessionCache,
    private readonly timing: WatchTiming = realTiming,
    private readonly retention: OutboxRetention | null = null,
  ) {
    this.createdAt = timing.now();
  }

  /** Whether this instance may answer from its cached snapshots now. */
  fresh(): boolean {
    return this.timing.now() - this.freshSince < this.timing.freshnessMs;
  }

  /**
   * How long this instance has not trusted its cached snapshots (ms), `null` while it does: since
   * its last complete check went out of date, or since it started when none completed yet.
   */
  distrustedForMs(): number | null {
    if (this.fresh()) return null;
    const lapsedAt =
      this.freshSince === Number.NEGATIVE_INFINITY
        ? this.createdAt
        : this.freshSince + this.timing.freshnessMs;
    return Math.max(0, this.timing.now() - lapsedAt);
  }

  /** Checks once (startup replay), then every `checkEveryMs` until {@link stop}. */
  async start(): Promise<void> {
    await this.check();
    this.timer ??= setInterval(() => void this.check(), this.timing.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Applies every outbox row past the last one applied; renews freshness only if all went in. */
  check(): Promise<void> {
    this.checking ??= this.applyPending().finally(() => (this.checking = null));
    return this.checking;
  }

  /** Records an invalidation Redis did not take, under the next sequence number. */
  async record(
    kind: CacheOutboxEntity['kind'],
    payload: CacheOutboxEntity['payload'],
    row: { id: string; createdAt: number },
  ): Promise<void> {
    await serialTransaction(this.dataSource, async (manager) => {
      const counter = manager.getRepository(CacheInvalidationCounterEntity);
      await counter.createQueryBuilder().insert().values({ id: 1, seq: 0 }).orIgnore().execute();
      await counter
        .createQueryBuilder()
        .update()
        .set({ seq: () => 'seq + 1' })
        .where('id = 1')
        .execute();
      const { seq } = await counter.findOneByOrFail({ id: 1 });
      await manager.getRepository(CacheOutboxEntity).insert({ ...row, kind, payload, seq });
    });
  }

  /** Waits out the freshness bound: afterwards no instance trusts a check older than the row. */
  async outlast(): Promise<void> {
    const until = this.timing.now() + this.timing.freshnessMs;
    while (this.timing.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, until - this.timing.now() + 1));
    }
  }

  /**
   * Deletes the rows past their retention, at most every {@link OUTBOX_PRUNE_EVERY_MS}: without
   * it, the rows of a single-instance app's CLI or worker (which always write here) and of every
   * Redis outage would stay forever. A failure is retried at the next prune.
   */
  private async pruneExpired(outbox: Repository<CacheOutboxEntity>): Promise<void> {
    if (!this.retention) return;
    const now = this.timing.now();
    if (now - this.prunedAt < OUTBOX_PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const cutoff = this.retention.wallNow() - this.retention.olderThanMs;
    await outbox.delete({ createdAt: LessThan(cutoff) }).catch((error: Error) => {
      this.prunedAt = Number.NEGATIVE_INFINITY;
      this.logger.warn(`could not prune the cache outbox: ${error.message}`);
    });
  }

  private async applyPending(): Promise<void> {
    const startedAt = this.timing.now();
    try {
      const outbox = this.dataSource.getRepository(CacheOutboxEntity);
      for (;;) {
        const rows = await outbox.find({
          where: { seq: MoreThan(this.applied) },
          order: { seq: 'ASC' },
          take: BATCH,
        });
        for (const row of rows) {
          if (row.kind === 'tombstone')
            await this.cache.tombstone(row.payload.hashes ?? [], row.payload.ttlMs ?? 1);
          else await this.cache.raiseEpochs(row.payload.entries ?? {});
          this.applied = row.seq ?? this.applied;
        }
        if (rows.length < BATCH) break;
      }
      this.freshSince = Math.max(this.freshSince, startedAt);
      if (this.failing) this.logger.log('cache invalidations applied; cached sessions trusted');
      this.failing = false;
      await this.pruneExpired(outbox);
    } catch (error) {
      if (!this.failing)
        this.logger.warn(
          `cache invalidations not applied, sessions are read from the database: ${(error as Error).message}`,
        );
      this.failing = true;
    }
  }
}
