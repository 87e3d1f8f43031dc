import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In, IsNull } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { serialTransaction } from '../../common/serial-transaction.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../../common/tokens.js';
import { SessionEvents } from '../../session/session-events.js';
import { SessionEntity } from '../../session/session.entity.js';
import {
  BULK_REVOCATION_OPTIONS,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import { RevocationBatchEffects } from './revocation-batch-effects.js';
import { RevocationJobEntity } from './revocation-job.entity.js';
import { SessionMatcher, type MatchedSession } from './session-matcher.js';

/**
 * How one run of a job ended.
 *
 * @example const outcome: RevocationRunOutcome = await processor.run(jobId);
 */
export type RevocationRunOutcome = 'completed' | 'cancelled' | 'skipped';

/** Another run of the same job committed first, or the job was cancelled: retry the batch. */
class LostRace extends Error {}

/**
 * One run's token kills still under way: on PostgreSQL a batch's cached tokens end while the next
 * batch's statement runs, and that batch commits only once they have ended. So at most the last
 * committed batch can lack its effects — the one a resumed run applies again.
 */
interface PendingEffects {
  tokens: Promise<void>;
}

/**
 * Applies a bulk revocation to the session rows in keyset-paged batches. Each batch is one
 * transaction that marks the batch's sessions revoked (only rows still live, so a retried batch
 * changes nothing twice) and moves the job's cursor and `revoked` count — guarded by the cursor
 * it read, so two deliveries of the same job never count a row twice. Cache tombstones follow
 * the commit (on PostgreSQL while the next batch's statement runs, which commits only after
 * them). A run that dies resumes from the committed cursor and redoes the last batch's effects.
 *
 * @example
 * await processor.run(jobId, (percent) => bullJob.progress(percent));
 */
@Injectable()
export class RevocationJobProcessor {
  private readonly logger = new Logger('SessionSecurityRevocations');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly effects: RevocationBatchEffects,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(BULK_REVOCATION_OPTIONS) private readonly options: ResolvedBulkRevocationOptions,
  ) {}

  private get jobs() {
    return this.dataSource.getRepository(RevocationJobEntity);
  }

  /** Runs (or resumes) the job until it is done or cancelled; rethrows so a queue retries. */
  async run(
    jobId: string,
    progress: (percent: number) => unknown = () => undefined,
  ): Promise<RevocationRunOutcome> {
    await this.jobs.update(
      { id: jobId, state: 'waiting' },
      { state: 'active', updatedAt: this.clock.now() },
    );
    let job = await this.jobs.findOneBy({ id: jobId });
    if (!job || job.state !== 'active') return job?.state === 'cancelled' ? 'cancelled' : 'skipped';
    const pending: PendingEffects = { tokens: Promise.resolve() };
    if (job.cursor !== null) {
      await this.afterBatch(job, await this.effects.lastCommitted(job), pending);
    }
    const matcher = new SessionMatcher(job.filter, job.cutoffAt, job.cutoffAt);
    for (;;) {
      let batch: MatchedSession[] | null;
      try {
        batch = await this.batch(job, matcher, pending);
      } catch (error) {
        if (!(error instanceof LostRace)) throw error;
        batch = [];
      }
      job = await this.jobs.findOneBy({ id: jobId });
      await pending.tokens;
      if (!job || job.state === 'cancelled') return this.cancelled(job);
      if (job.state !== 'active') return 'skipped';
      if (batch === null) return this.complete(job);
      await this.afterBatch(job, batch, pending);
      if (batch.length > 0) await this.auditBatch(job, batch.length);
      await progress(percentOf(job));
    }
  }

  /** Records that the job failed for good (its tries are spent). */
  async markFailed(jobId: string, error: unknown): Promise<void> {
    const now = this.clock.now();
    const message = String((error as Error)?.message ?? error).slice(0, 512);
    const updated = await this.jobs.update(
      { id: jobId, state: In(['waiting', 'active']) },
      { state: 'failed', error: message, updatedAt: now, finishedAt: now },
    );
    if (!updated.affected) return;
    const job = await this.jobs.findOneBy({ id: jobId });
    this.logger.error(`revocation job ${jobId} failed: ${message}`);
    await this.events.emit({
      type: 'revocation.finished',
      actor: job?.actor ?? null,
      outcome: 'failure',
      details: {
        jobId,
        state: 'failed',
        matched: job?.matched,
        revoked: job?.revoked,
        error: message,
      },
    });
  }

  /**
   * One transaction: the next page of matching sessions after the cursor, marked revoked, and
   * the job row advanced. `null` when the scan is over.
   */
  protected async batch(
    job: RevocationJobEntity,
    matcher: SessionMatcher,
    pending: PendingEffects,
  ): Promise<MatchedSession[] | null> {
    return serialTransaction(this.dataSource, async (manager) => {
      const size = this.options.batchSize;
      const reason = job.reason.slice(0, 64);
      const fast = await matcher.revokePage(manager, job.cursor, size, this.clock.now(), reason);
      const { rows, lastId } = fast ?? (await matcher.page(manager, job.cursor, size));
      await pending.tokens;
      if (lastId === null) return null;
      let revoked = fast ? rows.length : 0;
      if (!fast && rows.length > 0) {
        const result = await manager.update(
          SessionEntity,
          { id: In(rows.map((r) => r.id)), revokedAt: IsNull() },
          { revokedAt: this.clock.now(), revokedReason: reason },
        );
        revoked = result.affected ?? 0;
      }
      const advanced = await manager
        .createQueryBuilder()
        .update(RevocationJobEntity)
        .set({
          cursor: lastId,
          revoked: () => `"revoked" + ${Number(revoked)}`,
          updatedAt: this.clock.now(),
        })
        .where('"id" = :id', { id: job.id })
        .andWhere(`"state" = 'active'`)
        .andWhere(job.cursor === null ? '"cursor" IS NULL' : '"cursor" = :cursor', {
          cursor: job.cursor,
        })
        .execute();
      if (!advanced.affected) throw new LostRace();
      return rows;
    });
  }

  /**
   * After a batch committed: {@link RevocationBatchEffects} (cached tokens end, users notified).
   * Given `pending` on PostgreSQL, the tokens may still be ending when this returns: the next
   * batch's transaction waits for them before it commits. Override to observe batches (tests
   * simulate a crash here).
   */
  protected async afterBatch(
    job: RevocationJobEntity,
    batch: MatchedSession[],
    pending?: PendingEffects,
  ): Promise<void> {
    const tokens = this.effects.endTokens(batch);
    if (pending && this.dataSource.options.type === 'postgres') {
      tokens.catch(() => undefined); // awaited by the next batch; never an unhandled rejection
      pending.tokens = tokens;
    } else {
      await tokens;
    }
    await this.effects.notify(job, batch);
  }

  /** One audit event per committed batch: the job's progress, step by step. */
  private async auditBatch(job: RevocationJobEntity, size: number): Promise<void> {
    await this.events.emit({
      type: 'revocation.batch',
      actor: job.actor,
      outcome: 'success',
      details: { jobId: job.id, sessions: size, revoked: job.revoked, cursor: job.cursor },
    });
  }

  private async complete(job: RevocationJobEntity): Promise<RevocationRunOutcome> {
    const now = this.clock.now();
    const updated = await this.jobs.update(
      { id: job.id, state: 'active' },
      { state: 'completed', updatedAt: now, finishedAt: now },
    );
    if (!updated.affected) return 'skipped';
    await this.events.emit({
      type: 'revocation.finished',
      actor: job.actor,
      outcome: 'success',
      details: { jobId: job.id, state: 'completed', matched: job.matched, revoked: job.revoked },
    });
    return 'completed';
  }

  private async cancelled(job: RevocationJobEntity | null): Promise<RevocationRunOutcome> {
    return job ? 'cancelled' : 'skipped';
  }
}

/** Progress of a job in percent: revoked of matched, 100 only once completed. */
export function percentOf(job: Pick<RevocationJobEntity, 'state' | 'matched' | 'revoked'>): number {
  if (job.state === 'completed') return 100;
  if (job.matched === 0) return 0;
  return Math.min(99, Math.floor((job.revoked / job.matched) * 100));
}
