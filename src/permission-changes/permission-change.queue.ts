import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { BullJobQueue } from '../common/bull-job-queue.js';
import { InlineQueue } from '../common/inline-queue.js';
import type { NotificationJobQueue } from '../common/job-queue.interface.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
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
/** Longest wait for the queue to accept a job; the change is re-queued at the next start after. */
const ENQUEUE_TIMEOUT_MS = 3_000;

/**
 * Where permission-change jobs go: the Bull queue {@link PERMISSION_CHANGE_QUEUE} on the module's
 * Redis (prefix `<redisKeyPrefix>bull`, like the other queues), processed here only when `worker`
 * is on; or, without Redis, an `InlineQueue` in this process. The job id is `<userId>:<version>`,
 * so a change queued twice is one job.
 *
 * @example
 * await queue.enqueue({ userId: '42', authzVersion: 7 });
 * await queue.resumePending(); // at startup
 */
export class PermissionChangeQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityPermissions');

  constructor(
    readonly jobs: NotificationJobQueue<PermissionChangeJobData> & {
      whenIdle(): Promise<void>;
      close(): Promise<void>;
    },
    private readonly dataSource: DataSource,
    private readonly options: ResolvedPermissionChangeOptions,
    /** Whether jobs are processed in this process. */
    readonly worker: boolean,
  ) {}

  /** Builds the Bull queue when the module has Redis, the in-process one otherwise. */
  static create(
    module: ResolvedOptions,
    options: ResolvedPermissionChangeOptions,
    processor: PermissionChangeProcessor,
    worker: boolean,
  ): PermissionChangeQueue {
    const handle = async (job: { data: PermissionChangeJobData; attemptsMade: number }) => {
      try {
        return await processor.run(job.data);
      } catch (error) {
        if (job.attemptsMade + 1 >= options.attempts) await processor.markFailed(job.data, error);
        throw error;
      }
    };
    const jobs = module.redis
      ? new BullJobQueue<PermissionChangeJobData>({
          name: PERMISSION_CHANGE_QUEUE,
          redis: module.redis,
          prefix: `${module.redisKeyPrefix}bull`,
          worker,
          handler: handle,
          settings: BULL_SETTINGS,
          logContext: 'SessionSecurityPermissions',
        })
      : new InlineQueue<PermissionChangeJobData>(handle, 'SessionSecurityPermissions');
    return new PermissionChangeQueue(jobs, module.dataSource, options, !!(worker || !module.redis));
  }

  /** Queues the job of one change; a queue that does not answer is logged, never thrown. */
  async enqueue(data: PermissionChangeJobData): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('queue did not answer')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([
        this.jobs.add(PERMISSION_CHANGE_JOB, data, {
          jobId: `${data.userId}:${data.authzVersion}`,
          attempts: this.options.attempts,
          backoff: { type: 'exponential', delay: this.options.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        }),
        timeout,
      ]);
    } catch (error) {
      this.logger.warn(
        `could not queue permission change ${data.userId}@${data.authzVersion} ` +
          `(queued again when a worker starts): ${(error as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Queues again every change still `pending` (after a crash or restart); returns the count. */
  async resumePending(): Promise<number> {
    const pending = await this.dataSource.getRepository(PermissionChangeEntity).find({
      select: { userId: true, authzVersion: true },
      where: { state: 'pending' },
      order: { changedAt: 'ASC' },
    });
    for (const change of pending) await this.enqueue(change);
    return pending.length;
  }

  /** Resolves when this process runs no job (in-process queue; Bull: at once). */
  whenIdle(): Promise<void> {
    return this.jobs.whenIdle();
  }

  onApplicationShutdown(): Promise<void> {
    return this.jobs.close();
  }
}
