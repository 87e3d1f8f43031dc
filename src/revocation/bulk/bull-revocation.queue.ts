import type { OnApplicationShutdown } from '@nestjs/common';
import type Bull from 'bull';
import type { RedisSource } from '../../common/redis-clients.js';
import { BullJobQueue } from '../../common/bull-job-queue.js';
import { REVOCATION_JOB_NAME, REVOCATION_QUEUE } from './bulk-revocation.options.js';
import type { RevocationJobProcessor } from './revocation-job.processor.js';
import type { RevocationJobQueue, RevocationRetry } from './revocation-queue.js';

/**
 * The Bull queue {@link REVOCATION_QUEUE} (a {@link BullJobQueue}). With `worker` it also
 * processes jobs here (one at a time); the Bull job id is the job row's id, so a double enqueue
 * is a no-op.
 *
 * @example
 * const queue = new BullRevocationQueue('redis://127.0.0.1:6379', 'ss:bull', processor, retry, true);
 */
export class BullRevocationQueue implements RevocationJobQueue, OnApplicationShutdown {
  readonly queue: Bull.Queue<{ jobId: string }>;
  private readonly bull: BullJobQueue<{ jobId: string }>;

  constructor(
    redis: RedisSource,
    prefix: string,
    private readonly processor: RevocationJobProcessor,
    private readonly retry: RevocationRetry,
    worker: boolean,
  ) {
    const stalledAfterMs = retry.stalledAfterMs ?? 30_000;
    this.bull = new BullJobQueue({
      name: REVOCATION_QUEUE,
      redis,
      prefix,
      worker,
      handler: (job) => this.handle(job),
      settings: {
        lockDuration: stalledAfterMs,
        stalledInterval: stalledAfterMs,
        maxStalledCount: retry.attempts,
      },
      logContext: 'SessionSecurityRevocations',
    });
    this.queue = this.bull.queue;
    this.queue.on('failed', (job, error) => {
      // Bull fails a job that stalled too often without calling the handler: record it.
      if (job && /stalled/.test(error?.message ?? '')) {
        void this.processor.markFailed(job.data.jobId, error).catch(() => undefined);
      }
    });
  }

  /**
   * Queues the job. A Bull job of that id that already finished (while the row says the job is
   * not done, e.g. after a crash) is replaced; one still waiting, delayed or active is left
   * alone. A job whose Bull state vanished (Redis flushed or restarted empty) is added anew.
   */
  async add(jobId: string): Promise<boolean> {
    const existing = await this.queue.getJob(jobId);
    if (existing && ((await existing.isCompleted()) || (await existing.isFailed()))) {
      await existing.remove();
    } else if (existing) {
      return false;
    }
    await this.queue.add(
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

  async whenIdle(): Promise<void> {}

  close(): Promise<void> {
    return this.bull.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async handle(job: Bull.Job<{ jobId: string }>): Promise<void> {
    try {
      await this.processor.run(job.data.jobId, (percent) => job.progress(percent));
    } catch (error) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.processor.markFailed(job.data.jobId, error);
      }
      throw error;
    }
  }
}
