import { Logger } from '@nestjs/common';
import type { JobOptions, JobQueue, JobRun } from './job-queue.js';

/** A job run every `everyMs`, as {@link JobQueues.repeat} takes it. */
export interface RepeatableScheduleSpec<T extends object, R> {
  /** The queue name (`session-security-…`). */
  name: string;
  /** The name of the job on that queue. */
  jobName: string;
  everyMs: number;
  /** The data of each scheduled run (a handler may complete it with `run.update`). */
  data: T;
  /** Runs one try; what it returns is what `runNow` resolves with. */
  handler: (run: JobRun<T>) => Promise<R>;
  /** Process runs in this process. */
  worker: boolean;
  /** Tries per run and the retry backoff. */
  retry: Pick<JobOptions, 'attempts' | 'backoff'>;
  logContext?: string;
}

/**
 * A job run every `everyMs` — one repeatable Bull job shared by every instance, or a timer in
 * single-instance mode — that can also be run now.
 *
 * @example
 * const { removed } = await schedule.runNow({ cutoff: Date.now() - 86_400_000 });
 */
export interface RepeatableSchedule<T extends object, R> {
  /** The queue the runs go through. */
  readonly queue: JobQueue<T>;
  /** Resolves once this instance has registered (Bull) or armed (timer) the schedule. */
  whenScheduled(): Promise<void>;
  /** Runs the job once, now (through the queue when it is shared), with its result. */
  runNow(data?: T): Promise<R>;
  /** Resolves when no run is under way in this process. */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

/** Completed and failed runs Bull keeps for the dashboard. */
const KEEP = { removeOnComplete: 50, removeOnFail: 50 };

/**
 * The repeatable Bull job `jobName` every `everyMs`. Every instance registers the same repeat
 * key, so Bull keeps ONE schedule however many instances start; a schedule left by an older
 * `every` is replaced. Registration never holds up startup (Redis may be down for a while).
 *
 * @example new BullRepeatableSchedule(queues.open({ ...spec }), spec)
 */
export class BullRepeatableSchedule<T extends object, R> implements RepeatableSchedule<T, R> {
  private readonly logger: Logger;
  private scheduled: Promise<void> = Promise.resolve();

  constructor(
    readonly queue: JobQueue<T>,
    private readonly spec: RepeatableScheduleSpec<T, R>,
  ) {
    this.logger = new Logger(spec.logContext ?? 'SessionSecurity');
  }

  onApplicationBootstrap(): void {
    this.scheduled = this.register().catch((error: Error) => {
      this.logger.warn(`could not schedule ${this.spec.name}: ${error.message}`);
    });
  }

  whenScheduled(): Promise<void> {
    return this.scheduled;
  }

  async runNow(data: T = this.spec.data): Promise<R> {
    const job = await this.bull.add(this.spec.jobName, data, { ...this.spec.retry, ...KEEP });
    return (await job.finished()) as R;
  }

  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private get bull() {
    if (!this.queue.bull) throw new Error(`${this.spec.name} is not a Bull queue`);
    return this.queue.bull;
  }

  private async register(): Promise<void> {
    for (const entry of await this.bull.getRepeatableJobs()) {
      if (entry.name === this.spec.jobName && entry.every !== this.spec.everyMs) {
        await this.bull.removeRepeatableByKey(entry.key);
      }
    }
    await this.bull.add(this.spec.jobName, this.spec.data, {
      repeat: { every: this.spec.everyMs },
      ...this.spec.retry,
      ...KEEP,
    });
  }
}

/**
 * Single-instance mode: queues a run every `everyMs` on the in-process queue (never two at once:
 * the run's id is fixed); the timer is cleared on shutdown and does not keep the process alive.
 *
 * @example new TimerRepeatableSchedule(queues.open({ ...spec }), spec)
 */
export class TimerRepeatableSchedule<T extends object, R> implements RepeatableSchedule<T, R> {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly queue: JobQueue<T>,
    private readonly spec: RepeatableScheduleSpec<T, R>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.spec.everyMs);
    this.timer.unref();
  }

  whenScheduled(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs the handler here, once (no retries: the caller sees the error). */
  runNow(data: T = this.spec.data): Promise<R> {
    const run: JobRun<T> = {
      id: `${this.spec.jobName}-now`,
      name: this.spec.jobName,
      data: { ...data },
      attemptsMade: 0,
      attempts: 1,
      update: async (next) => void (run.data = next),
      progress: async () => undefined,
    };
    return this.spec.handler(run);
  }

  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private tick(): void {
    const options = { jobId: this.spec.jobName, ...this.spec.retry };
    this.queue.add(this.spec.jobName, { ...this.spec.data }, options).catch(() => undefined);
  }
}
