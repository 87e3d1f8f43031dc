import { Logger } from '@nestjs/common';
import type { JobHandler, JobOptions, JobQueue, JobRun } from './job-queue.js';

let sequence = 0;

/**
 * The in-process adapter of {@link JobQueue}, for apps without Redis. Each job runs soon after
 * `add()` returns, is retried with the job's backoff until it succeeds or its attempts are spent,
 * and is skipped when a job with the same `jobId` is already queued or running. Jobs do not
 * survive a restart: the source of truth stays in the database, and each feature's reconciler
 * queues unfinished rows again at the next start.
 *
 * @example
 * const queue = new InlineJobQueue('my-jobs', (job) => delivery.run(job.data));
 * await queue.add('deliver', { notificationId, channel }, { jobId, attempts: 5 });
 * await queue.whenIdle();
 */
export class InlineJobQueue<T> implements JobQueue<T> {
  readonly bull = null;
  private readonly logger: Logger;
  private readonly live = new Map<string, Promise<void>>();
  private readonly sleepers = new Map<NodeJS.Timeout, (awake: boolean) => void>();
  /** Tries waiting for one of the `concurrency` slots. */
  private readonly waiting: Array<(slot: boolean) => void> = [];
  private running = 0;
  private closed = false;

  /**
   * @param concurrency Tries run at once (default: no bound); further jobs wait their turn, in
   *   the order they were added.
   */
  constructor(
    readonly name: string,
    private readonly handler: JobHandler<T>,
    logContext = 'SessionSecurity',
    private readonly concurrency = Infinity,
  ) {
    this.logger = new Logger(logContext);
  }

  async add(name: string, data: T, options: JobOptions = {}): Promise<{ id: string }> {
    if (this.closed) throw new Error(`the job queue ${this.name} is closed`);
    const id = options.jobId ?? `inline-${++sequence}`;
    if (!this.live.has(id)) {
      const run = this.run(id, name, data, options).finally(() => this.live.delete(id));
      this.live.set(id, run);
    }
    return { id };
  }

  holds(jobId: string): boolean {
    return this.live.has(jobId);
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
    for (const wake of this.waiting.splice(0)) wake(false);
    await Promise.allSettled(this.live.values());
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async run(id: string, name: string, data: T, options: JobOptions): Promise<void> {
    const attempts = Math.max(1, options.attempts ?? 1);
    const job: JobRun<T> = {
      id,
      name,
      data,
      attemptsMade: 0,
      attempts,
      update: async (next) => void (job.data = next),
      progress: async () => undefined,
    };
    await Promise.resolve();
    for (;;) {
      try {
        await this.turn(() => this.handler(job));
        return;
      } catch (error) {
        job.attemptsMade++;
        if (job.attemptsMade >= attempts || this.closed) {
          const why = this.closed ? 'stopped by shutdown' : 'failed for good';
          this.logger.warn(
            `${this.name} job ${id} ${why} after ${job.attemptsMade} tries: ${(error as Error).message}`,
          );
          return;
        }
        if (!(await this.sleep(backoffDelay(options.backoff, job.attemptsMade)))) return;
      }
    }
  }

  /** Runs `work` once fewer than `concurrency` tries are running. */
  private async turn(work: () => Promise<unknown>): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
    } else if (!(await new Promise<boolean>((resolve) => this.waiting.push(resolve)))) {
      throw new Error(`the job queue ${this.name} is closed`);
    }
    try {
      await work();
    } finally {
      // The slot passes straight to the next waiting try, so no new one slips in between.
      const next = this.waiting.shift();
      if (next) next(true);
      else this.running--;
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

function backoffDelay(backoff: JobOptions['backoff'], retry: number): number {
  if (!backoff) return 0;
  return backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** (retry - 1);
}
