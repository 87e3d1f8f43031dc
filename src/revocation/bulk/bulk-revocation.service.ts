import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../../common/tokens.js';
import {
  ENQUEUE_TIMEOUT_MS,
  enqueueWithin,
  type EnqueueOutcome,
} from '../../jobs/bounded-enqueue.js';
import type { ReconcileSignal } from '../../jobs/reconcile-loop.js';
import { SessionEvents } from '../../session/session-events.js';
import { RevocationService } from '../revocation.service.js';
import {
  BULK_REVOCATION_OPTIONS,
  REVOCATION_JOB_QUEUE,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import { parseRevocationFilter, type RevocationFilter } from './revocation-filter.js';
import {
  IdempotencyKeyReusedError,
  idempotencyHashes,
  parseIdempotencyKey,
} from './revocation-idempotency.js';
import { RevocationJobEntity, type RevocationJobState } from './revocation-job.entity.js';
import { percentOf } from './revocation-job.processor.js';
import { planRevocation, type RevocationEffect } from './revocation-plan.js';
import type { RevocationJobQueue } from './revocation-queue.js';
import { SessionMatcher } from './session-matcher.js';
import { previewMatches, type RevocationPreview } from './revocation-preview.js';

/**
 * What a dry run answers: how many live sessions match and a few of them.
 *
 * @example const { matched, sample } = await bulk.start(filter, reason, actor, { dryRun: true }) as RevocationDryRun;
 */
export interface RevocationDryRun {
  dryRun: true;
  matched: number;
  effect: RevocationEffect;
  sample: Array<{ id: string; userId: string; createdAt: string; ip: string | null }>;
}

/**
 * What starting a job answers. With `effect: 'immediate'` the matched sessions are already
 * refused everywhere; with `'by_job'` they are refused as the job reaches them. `queued` is
 * `'deferred'` when the queue did not take the job within 2 s (Redis frozen or down): the job is
 * stored and the reconciler queues it once the queue answers. `replayed` is `true` when an
 * `idempotencyKey` seen before answered with the job it started.
 *
 * @example const { jobId, matched, effect, queued } = await bulk.start({ all: true }, 'incident 42', 'admin-1') as RevocationStarted;
 */
export interface RevocationStarted {
  dryRun: false;
  jobId: string;
  matched: number;
  effect: RevocationEffect;
  queued: EnqueueOutcome;
  replayed: boolean;
}

/**
 * Options of {@link BulkRevocationService.start}.
 *
 * @example await bulk.start(filter, reason, actor, { idempotencyKey: 'c1b7...' });
 */
export interface RevocationStartOptions {
  /** Count only, revoke nothing. */
  dryRun?: boolean;
  /**
   * A client's key for this request (1-128 visible ASCII characters), scoped to `actor`: the same
   * key with the same filter and reason answers the job it started (no second job); with another
   * filter or reason it throws {@link IdempotencyKeyReusedError}.
   */
  idempotencyKey?: string;
}

/**
 * A job as the API and CLI show it.
 *
 * @example const { state, progress } = (await bulk.status(jobId))!;
 */
export interface RevocationJobStatus {
  jobId: string;
  state: RevocationJobState;
  progress: number;
  matched: number;
  revoked: number;
  effect: RevocationEffect;
  filter: RevocationFilter;
  reason: string;
  actor: string | null;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

const SAMPLE_SIZE = 20;
/** Shortest wait for the queue when the rest of a start already used up its 2 s budget. */
const MIN_ENQUEUE_WAIT_MS = 250;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bulk session revocation: markers make exact filters effective before `start()` returns; a
 * job (Bull, or in-process without Redis) marks the rows in batches and audits the outcome.
 *
 * @example
 * const started = await bulk.start({ roles: ['editor'] }, 'leaked editor credentials', 'admin-1');
 * const status = await bulk.status(started.jobId);
 */
@Injectable()
export class BulkRevocationService {
  private readonly logger = new Logger('SessionSecurityRevocations');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly revocations: RevocationService,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(REVOCATION_JOB_QUEUE) private readonly queue: RevocationJobQueue,
    @Inject(BULK_REVOCATION_OPTIONS) private readonly options: ResolvedBulkRevocationOptions,
  ) {}

  private get jobs() {
    return this.dataSource.getRepository(RevocationJobEntity);
  }

  /**
   * Counts (dry run) or revokes the live sessions matching `filter`. The filter is validated
   * again here, so callers other than the API get the same errors.
   *
   * Waits for the queue only within a 2 s budget for the whole call (at least 250 ms), so it
   * answers even when Redis is frozen or down (see {@link RevocationStarted.queued}).
   *
   * @throws RevocationFilterError naming the bad field
   * @throws IdempotencyKeyReusedError when `idempotencyKey` started a job for another request
   */
  async start(
    filter: RevocationFilter,
    reason: string,
    actor: string | null,
    { dryRun = false, idempotencyKey }: RevocationStartOptions = {},
  ): Promise<RevocationDryRun | RevocationStarted> {
    const began = performance.now();
    const valid = parseRevocationFilter(filter, 'filter');
    const key = parseIdempotencyKey(idempotencyKey);
    const hashes =
      key && !dryRun ? idempotencyHashes(actor, key, valid, reason.slice(0, 256)) : null;
    if (hashes) {
      const earlier = await this.replay(hashes);
      if (earlier) return earlier;
    }
    const now = this.clock.now();
    const plan = planRevocation(valid);
    const matcher = new SessionMatcher(valid, now, now);
    const manager = this.dataSource.manager;
    const matched = await matcher.count(manager, this.options.batchSize);
    if (dryRun) {
      const sample = await matcher.sample(manager, SAMPLE_SIZE, this.options.batchSize);
      return {
        dryRun: true,
        matched,
        effect: plan.effect,
        sample: sample.map((s) => ({
          id: s.id,
          userId: s.userId,
          createdAt: new Date(s.createdAt).toISOString(),
          ip: s.ip,
        })),
      };
    }
    const job: RevocationJobEntity = {
      id: randomUUID(),
      filter: valid,
      reason: reason.slice(0, 256),
      actor: actor?.slice(0, 128) ?? null,
      state: 'waiting',
      effect: plan.effect,
      matched,
      revoked: 0,
      cursor: null,
      cutoffAt: now,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      error: null,
      idempotencyKey: hashes?.key ?? null,
      requestHash: hashes?.request ?? null,
    };
    try {
      await this.jobs.insert(job);
    } catch (error) {
      // A concurrent retry with the same key inserted first: answer its job.
      const earlier = hashes ? await this.replay(hashes) : null;
      if (earlier) return earlier;
      throw error;
    }
    await this.applyMarkers(job);
    await this.events.emit({
      type: 'revocation.started',
      actor: job.actor,
      outcome: 'success',
      details: { jobId: job.id, filter: valid, reason: job.reason, matched, effect: plan.effect },
    });
    // One 2 s budget for the whole start: markers and audit that already waited on a frozen Redis
    // leave the queue only what is left of it (at least 250 ms).
    const left = ENQUEUE_TIMEOUT_MS - (performance.now() - began);
    const queued = await this.enqueue(job.id, Math.max(MIN_ENQUEUE_WAIT_MS, left));
    return { dryRun: false, jobId: job.id, matched, effect: plan.effect, queued, replayed: false };
  }

  /** The job an idempotency key started, queued again if unfinished; `null` for a new key. */
  private async replay(hashes: {
    key: string;
    request: string;
  }): Promise<RevocationStarted | null> {
    const job = await this.jobs.findOneBy({ idempotencyKey: hashes.key });
    if (!job) return null;
    if (job.requestHash !== hashes.request) throw new IdempotencyKeyReusedError(job.id);
    const unfinished = job.state === 'waiting' || job.state === 'active';
    // The first request may have died (or still be running) between storing the job and writing
    // its markers: writing them again is idempotent, so the answer's effect holds either way.
    if (unfinished) await this.applyMarkers(job);
    const queued = unfinished ? await this.enqueue(job.id) : 'queued';
    return {
      dryRun: false,
      jobId: job.id,
      matched: job.matched,
      effect: job.effect,
      queued,
      replayed: true,
    };
  }

  /** Writes the job's markers (at its cutoff); idempotent, so a replay may write them again. */
  private async applyMarkers(job: RevocationJobEntity): Promise<void> {
    const change = { reason: job.reason, actor: job.actor };
    for (const marker of planRevocation(job.filter).markers) {
      await this.revocations.revokeByMarker(marker.scope, marker.value, change, {
        markRows: false,
        at: job.cutoffAt,
      });
    }
  }

  /** Queues the job, waiting at most `waitMs`; a stored job the queue did not take is deferred. */
  private async enqueue(jobId: string, waitMs = ENQUEUE_TIMEOUT_MS): Promise<EnqueueOutcome> {
    const { outcome, error } = await enqueueWithin(() => this.queue.add(jobId), waitMs);
    if (error) {
      this.logger.warn(
        `revocation job ${jobId} deferred (queued when the queue answers): ${error.message}`,
      );
    }
    return outcome;
  }

  /**
   * What `start(filter)` would revoke now, in short: matched count, the roles and users with the
   * most sessions (`top` of each) and a few sessions. Changes nothing.
   *
   * @throws RevocationFilterError naming the bad field
   */
  async preview(filter: RevocationFilter, top = 5): Promise<RevocationPreview> {
    const valid = parseRevocationFilter(filter, 'filter');
    const now = this.clock.now();
    const matcher = new SessionMatcher(valid, now, now);
    return previewMatches(this.dataSource.manager, matcher, planRevocation(valid).effect, {
      pageSize: this.options.batchSize,
      top,
    });
  }

  /** The job, or `null` for an unknown or malformed id. */
  async status(jobId: string): Promise<RevocationJobStatus | null> {
    if (!UUID.test(jobId)) return null;
    const job = await this.jobs.findOneBy({ id: jobId });
    return job ? toStatus(job) : null;
  }

  /** The most recent jobs, newest first (at most 100). */
  async list(limit = 20): Promise<RevocationJobStatus[]> {
    const take = Math.max(1, Math.min(100, Math.floor(limit) || 20));
    const jobs = await this.jobs.find({ order: { createdAt: 'DESC', id: 'DESC' }, take });
    return jobs.map(toStatus);
  }

  /**
   * Stops a waiting or running job after its current batch; sessions already revoked (and
   * markers already written) stay so. `null` for an unknown id.
   */
  async cancel(jobId: string, actor: string | null = null): Promise<RevocationJobStatus | null> {
    if (!UUID.test(jobId)) return null;
    const now = this.clock.now();
    const updated = await this.jobs.update(
      { id: jobId, state: In(['waiting', 'active']) },
      { state: 'cancelled', updatedAt: now, finishedAt: now },
    );
    const job = await this.jobs.findOneBy({ id: jobId });
    if (job && updated.affected) {
      await this.events.emit({
        type: 'revocation.finished',
        actor,
        outcome: 'success',
        details: { jobId, state: 'cancelled', matched: job.matched, revoked: job.revoked },
      });
    }
    return job ? toStatus(job) : null;
  }

  /**
   * Queues again every job the database says is unfinished (waiting or active) and the queue does
   * not hold — after a crash, a restart, a deferred start or Redis losing its data. The database
   * row is the truth; a job the queue still holds is left alone, and a run of a job that is
   * already running elsewhere resumes from the committed cursor without counting a row twice.
   * Stops at the first job the queue does not take within 2 s, and between jobs once `signal`
   * is stopped. Returns the number of jobs queued again.
   */
  async resumeUnfinished(signal: ReconcileSignal = { stopped: false }): Promise<number> {
    const jobs = await this.jobs.find({
      select: { id: true },
      where: { state: In(['waiting', 'active']) },
      order: { createdAt: 'ASC' },
      take: 1_000,
    });
    let resumed = 0;
    for (const job of jobs) {
      if (signal.stopped) break;
      let added = false;
      const { outcome } = await enqueueWithin(async () => (added = await this.queue.add(job.id)));
      if (outcome === 'deferred') break;
      if (added) resumed++;
    }
    return resumed;
  }

  /** Resolves when this process runs no job (in-process runner); useful in tests and the CLI. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }
}

function toStatus(job: RevocationJobEntity): RevocationJobStatus {
  return {
    jobId: job.id,
    state: job.state,
    progress: percentOf(job),
    matched: job.matched,
    revoked: job.revoked,
    effect: job.effect,
    filter: job.filter,
    reason: job.reason,
    actor: job.actor,
    createdAt: new Date(job.createdAt).toISOString(),
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
    error: job.error,
  };
}
