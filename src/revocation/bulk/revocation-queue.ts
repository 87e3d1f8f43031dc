import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RevocationJobProcessor } from './revocation-job.processor.js';

/**
 * Where bulk revocation jobs go: a Bull queue shared by every instance, or the in-process
 * runner of single-instance mode. Adding a job id that is already queued is a no-op.
 *
 * @example const added = await queue.add(jobId);
 */
export interface RevocationJobQueue {
  /** Queues the job unless the queue already holds it unfinished; `true` when it was added. */
  add(jobId: string): Promise<boolean>;
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

  async add(jobId: string): Promise<boolean> {
    if (this.closed) throw new Error('the revocation queue is closed');
    if (this.live.has(jobId)) return false;
    const run = this.run(jobId).finally(() => this.live.delete(jobId));
    this.live.set(jobId, run);
    return true;
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
