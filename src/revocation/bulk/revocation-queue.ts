import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { REVOCATION_JOB_NAME, REVOCATION_QUEUE } from './bulk-revocation.options.js';
import type { RevocationJobProcessor } from './revocation-job.processor.js';

/**
 * Where bulk revocation jobs go: a Bull queue shared by every instance, or the in-process
 * runner of single-instance mode. Adding a job id that is already queued is a no-op.
 *
 * @example await queue.add(jobId);
 */
export interface RevocationJobQueue {
  add(jobId: string): Promise<void>;
  /** Resolves when no job is running in this process (in-process runner only; Bull: at once). */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

/** Retry policy shared by both queues. */
export interface RevocationRetry {
  attempts: number;
  backoffMs: number;
  /** Bull: lock duration, i.e. how long a dead worker's job waits to be taken over (ms). */
  stalledAfterMs?: number;
}

/**
 * Runs jobs in this process with the same processor code as the Bull worker, retrying with
 * exponential backoff; for apps without Redis.
 *
 * @example
 * const queue = new InlineRevocationQueue(processor, { attempts: 5, backoffMs: 1000 });
 * await queue.add(jobId);
 * await queue.whenIdle();
 */
export class InlineRevocationQueue implements RevocationJobQueue, OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityRevocations');
  private readonly live = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly processor: RevocationJobProcessor,
    private readonly retry: RevocationRetry,
  ) {}

  async add(jobId: string): Promise<void> {
    if (this.closed) throw new Error('the revocation queue is closed');
    if (this.live.has(jobId)) return;
    const run = this.run(jobId).finally(() => this.live.delete(jobId));
    this.live.set(jobId, run);
  }

  async whenIdle(): Promise<void> {
    while (this.live.size > 0) await Promise.all(this.live.values());
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(this.live.values());
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async run(jobId: string): Promise<void> {
    await Promise.resolve();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.processor.run(jobId);
        return;
      } catch (error) {
        if (attempt >= this.retry.attempts || this.closed) {
          if (!this.closed) await this.processor.markFailed(jobId, error);
          else
            this.logger.warn(`revocation job ${jobId} stopped by shutdown; resumes at next start`);
          return;
        }
        const delay = this.retry.backoffMs * 2 ** (attempt - 1);
        const awake = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve(!this.closed);
          }, delay);
          this.timers.add(timer);
        });
        if (!awake) return;
      }
    }
  }
}

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
  private readonly clients: Redis[] = [];

  constructor(
    redis: string | Redis,
    prefix: string,
    private readonly processor: RevocationJobProcessor,
    private readonly retry: RevocationRetry,
    worker: boolean,
  ) {
    const connect = () => {
      const client =
        typeof redis === 'string'
          ? new Redis(redis, { maxRetriesPerRequest: null, enableReadyCheck: false })
          : redis.duplicate({
              maxRetriesPerRequest: null,
              enableReadyCheck: false,
              enableOfflineQueue: true,
              lazyConnect: false,
            });
      this.clients.push(client);
      return client;
    };
    const stalledAfterMs = retry.stalledAfterMs ?? 30_000;
    this.queue = new Bull(REVOCATION_QUEUE, {
      prefix,
      createClient: () => connect(),
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
    await Promise.all(this.clients.map((client) => client.quit().catch(() => client.disconnect())));
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
