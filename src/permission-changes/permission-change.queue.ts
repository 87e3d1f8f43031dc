import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { enqueueWithin, type EnqueueOutcome } from '../jobs/bounded-enqueue.js';
import { belowLimit, type JobQueue, type JobRun } from '../jobs/job-queue.js';
import type { JobQueues } from '../jobs/job-queues.js';
import type { ReconcileSignal } from '../jobs/reconcile-loop.js';
import { PermissionChangeEntity } from './permission-change.entity.js';
import {
  PERMISSION_CHANGE_JOB,
  PERMISSION_CHANGE_QUEUE,
  type ResolvedPermissionChangeOptions,
} from './permission-change.options.js';
import type {
  PermissionChangeJobData,
  PermissionChangeProcessor,
} from './permission-change.processor.js';

/**
 * Bull lock and stall settings of the queue: jobs are short, so a worker that dies mid-job is
 * noticed within seconds (its lock lapses after 5 s; stalled jobs are checked every 5 s) and its
 * job goes back to the queue for another worker. A job may stall three times before Bull gives up;
 * the change stays `pending` and is queued again when a worker starts.
 */
const BULL_SETTINGS = { lockDuration: 5_000, stalledInterval: 5_000, maxStalledCount: 3 };
/** Pending changes read and queued per batch when all of them are queued again. */
const REQUEUE_BATCH = 500;

/**
 * Where permission-change jobs go: the queue {@link PERMISSION_CHANGE_QUEUE} of the module's
 * `JobQueues` — on Bull with Redis, processed here only when `worker` is on; in process without.
 * The job id is `<userId>:<version>`, so a change queued twice is one job.
 *
 * @example
 * await queue.enqueue({ userId: '42', authzVersion: 7 });
 * await queue.resumePending(); // by the reconciler
 */
export class PermissionChangeQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityPermissions');
  private deferred = false;

  constructor(
    readonly jobs: JobQueue<PermissionChangeJobData>,
    private readonly dataSource: DataSource,
    private readonly options: ResolvedPermissionChangeOptions,
    /** Whether jobs are processed in this process. */
    readonly worker: boolean,
  ) {}

  /** Opens the queue on the module's `JobQueues` (Bull with Redis, in process without). */
  static create(
    queues: JobQueues,
    dataSource: DataSource,
    options: ResolvedPermissionChangeOptions,
    processor: PermissionChangeProcessor,
    worker: boolean,
  ): PermissionChangeQueue {
    const handle = async (job: JobRun<PermissionChangeJobData>) => {
      try {
        return await processor.run(job.data);
      } catch (error) {
        if (job.attemptsMade + 1 >= options.attempts) await processor.markFailed(job.data, error);
        throw error;
      }
    };
    const jobs = queues.open<PermissionChangeJobData>({
      name: PERMISSION_CHANGE_QUEUE,
      worker,
      handler: handle,
      settings: BULL_SETTINGS,
      logContext: 'SessionSecurityPermissions',
    });
    return new PermissionChangeQueue(jobs, dataSource, options, worker || !queues.shared);
  }

  /**
   * Queues the job of one change, waiting at most 2 s: a queue that does not answer (Redis frozen
   * or down) is logged and answered `deferred`, never thrown — the change row stays `pending` and
   * the reconciler queues it once the queue answers.
   */
  async enqueue(data: PermissionChangeJobData): Promise<EnqueueOutcome> {
    const { outcome, error } = await enqueueWithin(() =>
      this.jobs.add(PERMISSION_CHANGE_JOB, data, {
        jobId: `${data.userId}:${data.authzVersion}`,
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        removeOnComplete: true,
        removeOnFail: true,
      }),
    );
    if (error) {
      this.deferred = true;
      this.logger.warn(
        `could not queue permission change ${data.userId}@${data.authzVersion} ` +
          `(queued again by the reconciler): ${error.message}`,
      );
    }
    return outcome;
  }

  /**
   * Queues again every change still `pending` (after a crash, a restart, a deferred enqueue or
   * Redis losing its data), in batches of 500 read by key, oldest user first; a change still
   * queued is not added twice. Stops between changes once `signal` is stopped and at the first
   * change the queue does not take in time. Returns the count queued and whether it got through.
   */
  async resumePending(
    signal: ReconcileSignal = { stopped: false },
  ): Promise<{ requeued: number; complete: boolean }> {
    let after: PermissionChangeJobData | null = null;
    let requeued = 0;
    for (;;) {
      const select = this.dataSource
        .getRepository(PermissionChangeEntity)
        .createQueryBuilder('c')
        .select(['c.userId', 'c.authzVersion'])
        .where(`c.state = 'pending'`)
        .orderBy('c.userId', 'ASC')
        .addOrderBy('c.authzVersion', 'ASC')
        .limit(REQUEUE_BATCH);
      if (after) {
        select.andWhere('(c.userId > :u OR (c.userId = :u AND c.authzVersion > :v))', {
          u: after.userId,
          v: after.authzVersion,
        });
      }
      const batch = await select.getMany();
      if (batch.length === 0) return { requeued, complete: true };
      for (const change of batch) {
        if (signal.stopped) return { requeued, complete: false };
        const data = { userId: change.userId, authzVersion: change.authzVersion };
        if ((await this.enqueue(data)) === 'deferred') return { requeued, complete: false };
        requeued++;
      }
      after = batch[batch.length - 1];
      await belowLimit(this.jobs, REQUEUE_BATCH, signal);
    }
  }

  /** Whether an enqueue was deferred since the last call (and resets it). */
  takeDeferred(): boolean {
    const deferred = this.deferred;
    this.deferred = false;
    return deferred;
  }

  /** Resolves when this process runs no job (in-process queue; Bull: at once). */
  whenIdle(): Promise<void> {
    return this.jobs.whenIdle();
  }

  onApplicationShutdown(): Promise<void> {
    return this.jobs.close();
  }
}
