import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import type { Redis } from 'ioredis';
import { BullRedisClients } from '../../common/bull-redis.js';
import { REVOCATION_JOB_NAME, REVOCATION_QUEUE } from './bulk-revocation.options.js';
import type { RevocationJobProcessor } from './revocation-job.processor.js';
import type { RevocationJobQueue, RevocationRetry } from './revocation-queue.js';

/**
 * The Bull queue {@link REVOCATION_QUEUE}. With `worker` it also processes jobs here (one at a
 * time); the Bull job id is the job row's id, so a double enqueue is a no-op.
 *
 * @example
 * const queue = new BullRevocationQueue('redis://127.0.0.1:6379', 'ss:bull', processor, retry, true);
 */
export class BullRevocationQueue implements RevocationJobQueue, OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityRevocations');
  readonly queue: Bull.Queue<{ jobId: string }>;
  /** Bull does not close connections it got from `createClient`; this queue does. */
  private readonly clients: BullRedisClients;

  constructor(
    redis: string | Redis,
    prefix: string,
    private readonly processor: RevocationJobProcessor,
    private readonly retry: RevocationRetry,
    worker: boolean,
  ) {
    this.clients = new BullRedisClients(redis);
    const stalledAfterMs = retry.stalledAfterMs ?? 30_000;
    this.queue = new Bull(REVOCATION_QUEUE, {
      prefix,
      createClient: () => this.clients.open(),
      settings: {
        lockDuration: stalledAfterMs,
        stalledInterval: stalledAfterMs,
        maxStalledCount: retry.attempts,
      },
    });
    this.queue.on('error', (error) => this.logger.warn(`revocation queue: ${error.message}`));
    this.queue.on('failed', (job, error) => {
      // Bull fails a job that stalled too often without calling the handler: record it.
      if (job && /stalled/.test(error?.message ?? '')) {
        void this.processor.markFailed(job.data.jobId, error).catch(() => undefined);
      }
    });
    if (worker) {
      void this.queue.process(REVOCATION_JOB_NAME, 1, (job) => this.handle(job));
    }
  }

  /**
   * Queues the job. A Bull job of that id that already finished (while the row says the job is
   * not done, e.g. after a crash) is replaced; one still waiting or active is left alone.
   */
  async add(jobId: string): Promise<void> {
    const existing = await this.queue.getJob(jobId);
    if (existing && ((await existing.isCompleted()) || (await existing.isFailed()))) {
      await existing.remove();
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
  }

  async whenIdle(): Promise<void> {}

  async close(): Promise<void> {
    await this.queue.close();
    await this.clients.closeAll();
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
