import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type {
  NotificationJobData,
  NotificationJobOptions,
  NotificationJobQueue,
} from './job-queue.interface.js';

/** What an {@link InlineQueue} hands its handler: the Bull `Job` fields processors read. */
export interface InlineJob<T> {
  id: string;
  name: string;
  data: T;
  /** Failed tries so far (0 on the first). */
  attemptsMade: number;
}

let sequence = 0;

/**
 * A Bull-compatible `add()` that runs jobs in this process, for apps without Redis. Each job runs
 * soon after `add()` returns, is retried with the job's backoff until it succeeds or its attempts
 * are spent, and is skipped when a job with the same `jobId` is already queued or running. Jobs
 * do not survive a restart: keep the source of truth in the database (as deliveries do).
 *
 * @example
 * const queue = new InlineQueue((job) => delivery.run(job.data));
 * await queue.add('deliver', { notificationId, channel }, { jobId, attempts: 5 });
 * await queue.whenIdle();
 */
export class InlineQueue<T = NotificationJobData>
  implements NotificationJobQueue<T>, OnApplicationShutdown
{
  private readonly logger: Logger;
  private readonly live = new Map<string, Promise<void>>();
  private readonly sleepers = new Map<NodeJS.Timeout, (awake: boolean) => void>();
  private closed = false;

  constructor(
    private readonly handler: (job: InlineJob<T>) => Promise<unknown>,
    logContext = 'SessionSecurityNotifications',
  ) {
    this.logger = new Logger(logContext);
  }

  async add(name: string, data: T, options: NotificationJobOptions = {}): Promise<{ id: string }> {
    if (this.closed) throw new Error('InlineQueue is closed');
    const id = options.jobId ?? `inline-${++sequence}`;
    if (!this.live.has(id)) {
      const run = this.run({ id, name, data, attemptsMade: 0 }, options).finally(() =>
        this.live.delete(id),
      );
      this.live.set(id, run);
    }
    return { id };
  }

  /** Jobs queued or running in this process. */
  get inFlight(): number {
    return this.live.size;
  }

  /** Resolves when every job added so far has succeeded or spent its attempts. */
  async whenIdle(): Promise<void> {
    while (this.live.size > 0) await Promise.all(this.live.values());
  }

  /** Stops retrying: pending retries are dropped, running tries are awaited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake(false);
    }
    this.sleepers.clear();
    await Promise.allSettled(this.live.values());
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async run(job: InlineJob<T>, options: NotificationJobOptions): Promise<void> {
    const attempts = Math.max(1, options.attempts ?? 1);
    await Promise.resolve();
    for (;;) {
      try {
        await this.handler(job);
        return;
      } catch (error) {
        job.attemptsMade++;
        if (job.attemptsMade >= attempts || this.closed) {
          this.logger.warn(
            `job ${job.id} failed for good after ${job.attemptsMade} tries: ${(error as Error).message}`,
          );
          return;
        }
        if (!(await this.sleep(backoffDelay(options.backoff, job.attemptsMade)))) return;
      }
    }
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve(!this.closed);
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

function backoffDelay(backoff: NotificationJobOptions['backoff'], retry: number): number {
  if (!backoff) return 0;
  return backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** (retry - 1);
}
