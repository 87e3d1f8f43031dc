import { jobQueueToken, type JobQueue, type JobRun } from '../../jobs/job-queue.js';
import type { JobQueues } from '../../jobs/job-queues.js';
import { REVOCATION_JOB_NAME, REVOCATION_QUEUE } from './bulk-revocation.options.js';
import type { RevocationJobProcessor } from './revocation-job.processor.js';

/** Retry policy of bulk revocation jobs. */
export interface RevocationRetry {
  attempts: number;
  backoffMs: number;
  /** Bull: lock duration, i.e. how long a dead worker's job waits to be taken over (ms). */
  stalledAfterMs: number;
}

interface RevocationJobData {
  jobId: string;
}

/**
 * Where bulk revocation jobs go: the queue {@link REVOCATION_QUEUE} of the module's `JobQueues`
 * (Bull, shared by every instance, processed here one at a time when `worker` is on; or in
 * process without Redis), with the same processor either way. The queue's job id is the job row's
 * id, so a double enqueue is a no-op; a try that spends the last attempt marks the row `failed`.
 *
 * @example
 * const queue = RevocationJobQueue.open(queues, processor, retry, true);
 * await queue.add(jobId);
 */
export class RevocationJobQueue {
  private constructor(
    readonly jobs: JobQueue<RevocationJobData>,
    private readonly retry: RevocationRetry,
  ) {}

  static open(
    queues: JobQueues,
    processor: RevocationJobProcessor,
    retry: RevocationRetry,
    worker: boolean,
  ): RevocationJobQueue {
    const handle = async (job: JobRun<RevocationJobData>) => {
      try {
        await processor.run(job.data.jobId, (percent) => job.progress(percent));
      } catch (error) {
        if (job.attemptsMade + 1 >= job.attempts) await processor.markFailed(job.data.jobId, error);
        throw error;
      }
    };
    const jobs = queues.open<RevocationJobData>({
      name: REVOCATION_QUEUE,
      worker,
      handler: handle,
      settings: {
        lockDuration: retry.stalledAfterMs,
        stalledInterval: retry.stalledAfterMs,
        maxStalledCount: retry.attempts,
      },
      logContext: 'SessionSecurityRevocations',
    });
    jobs.bull?.on('failed', (job, error) => {
      // Bull fails a job that stalled too often without calling the handler: record it.
      if (job && /stalled/.test(error?.message ?? '')) {
        void processor.markFailed(job.data.jobId, error).catch(() => undefined);
      }
    });
    return new RevocationJobQueue(jobs, retry);
  }

  /** The DI token the Bull queue is also provided under. */
  static readonly token = jobQueueToken(REVOCATION_QUEUE);

  /**
   * Queues the job unless the queue already holds it unfinished; `true` when it was added. On
   * Bull, a job of that id that already finished (while the row says the job is not done, e.g.
   * after a crash) is replaced; one still waiting, delayed or active is left alone; one whose
   * state vanished (Redis flushed or restarted empty) is added anew.
   */
  async add(jobId: string): Promise<boolean> {
    const bull = this.jobs.bull;
    if (bull) {
      const existing = await bull.getJob(jobId);
      if (existing && ((await existing.isCompleted()) || (await existing.isFailed()))) {
        await existing.remove();
      } else if (existing) {
        return false;
      }
    } else if (this.jobs.holds?.(jobId)) {
      return false;
    }
    await this.jobs.add(
      REVOCATION_JOB_NAME,
      { jobId },
      {
        jobId,
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
        removeOnComplete: 1_000,
        removeOnFail: 1_000,
      },
    );
    return true;
  }

  /** Resolves when no job runs in this process (in process; Bull: at once). */
  whenIdle(): Promise<void> {
    return this.jobs.whenIdle();
  }

  close(): Promise<void> {
    return this.jobs.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
