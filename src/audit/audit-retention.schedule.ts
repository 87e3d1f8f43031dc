import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import type { Redis } from 'ioredis';
import { BullRedisClients } from '../common/bull-redis.js';
import { InlineQueue } from '../notifications/inline-queue.js';
import type { AuditRetentionJob, AuditRetentionRun } from './audit-retention.job.js';

/** Name of the Bull queue that carries the audit retention job. */
export const AUDIT_RETENTION_QUEUE = 'session-security-audit-retention';
/** Name of the one (repeatable) job kind on {@link AUDIT_RETENTION_QUEUE}. */
export const AUDIT_RETENTION_JOB_NAME = 'prune';
/** DI token of the {@link AuditRetentionSchedule} (`null` when retention is off here). */
export const AUDIT_RETENTION_SCHEDULE = Symbol('SESSION_SECURITY_AUDIT_RETENTION_SCHEDULE');

const RETRY = { attempts: 3, backoff: { type: 'exponential' as const, delay: 60_000 } };
const KEEP = { removeOnComplete: 50, removeOnFail: 50 };

/** Data of a retention job: the cutoff, fixed by the first try so that retries reuse it. */
export interface AuditRetentionJobData {
  cutoff?: number;
}

/**
 * Where the retention job is scheduled: a repeatable Bull job shared by every instance, or an
 * in-process timer in single-instance mode.
 *
 * @example
 * const schedule = app.get<AuditRetentionSchedule>(AUDIT_RETENTION_SCHEDULE);
 * const { removed } = await schedule.runNow();
 */
export interface AuditRetentionSchedule {
  /** Resolves once this instance has registered (Bull) or armed (timer) the schedule. */
  whenScheduled(): Promise<void>;
  /** Runs the job once, now (through the queue when there is one), and resolves with its result. */
  runNow(cutoff?: number): Promise<AuditRetentionRun>;
  close(): Promise<void>;
}

/**
 * The repeatable Bull job `prune` every `everyMs` on {@link AUDIT_RETENTION_QUEUE}. Every instance
 * registers the same repeat key, so Bull keeps ONE schedule however many instances start; a
 * schedule left by an older `every` is replaced. With `worker`, this instance also processes runs.
 *
 * @example
 * new BullAuditRetentionSchedule('redis://127.0.0.1:6379', 'ss:bull', job, 3_600_000, true);
 */
export class BullAuditRetentionSchedule
  implements AuditRetentionSchedule, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('SessionSecurityAudit');
  private readonly clients: BullRedisClients;
  readonly queue: Bull.Queue<AuditRetentionJobData>;
  private scheduled: Promise<void> = Promise.resolve();

  constructor(
    redis: string | Redis,
    prefix: string,
    private readonly job: AuditRetentionJob,
    private readonly everyMs: number,
    worker: boolean,
  ) {
    this.clients = new BullRedisClients(redis);
    this.queue = new Bull(AUDIT_RETENTION_QUEUE, {
      prefix,
      createClient: () => this.clients.open(),
    });
    this.queue.on('error', (error) => this.logger.warn(`audit retention queue: ${error.message}`));
    if (worker) void this.queue.process(AUDIT_RETENTION_JOB_NAME, 1, (job) => this.handle(job));
  }

  /** Registers the schedule without holding up startup (Redis may be down for a while). */
  onApplicationBootstrap(): void {
    this.scheduled = this.register().catch((error: Error) => {
      this.logger.warn(`could not schedule audit retention: ${error.message}`);
    });
  }

  whenScheduled(): Promise<void> {
    return this.scheduled;
  }

  async runNow(cutoff?: number): Promise<AuditRetentionRun> {
    const data = cutoff === undefined ? {} : { cutoff };
    const job = await this.queue.add(AUDIT_RETENTION_JOB_NAME, data, { ...RETRY, ...KEEP });
    return (await job.finished()) as AuditRetentionRun;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.clients.closeAll();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async register(): Promise<void> {
    for (const entry of await this.queue.getRepeatableJobs()) {
      if (entry.name === AUDIT_RETENTION_JOB_NAME && entry.every !== this.everyMs) {
        await this.queue.removeRepeatableByKey(entry.key);
      }
    }
    await this.queue.add(
      AUDIT_RETENTION_JOB_NAME,
      {},
      { repeat: { every: this.everyMs }, ...RETRY, ...KEEP },
    );
  }

  private async handle(job: Bull.Job<AuditRetentionJobData>): Promise<AuditRetentionRun> {
    let cutoff = job.data.cutoff;
    if (cutoff === undefined) {
      cutoff = this.job.cutoffNow();
      await job.update({ ...job.data, cutoff });
    }
    return this.job.run(cutoff);
  }
}

/**
 * Single-instance mode: runs the job every `everyMs` in this process (never two runs at once);
 * the timer is cleared on shutdown and does not keep the process alive.
 *
 * @example
 * const schedule = new TimerAuditRetentionSchedule(job, 3_600_000);
 */
export class TimerAuditRetentionSchedule
  implements AuditRetentionSchedule, OnApplicationBootstrap, OnApplicationShutdown
{
  private timer: NodeJS.Timeout | null = null;
  private readonly runs: InlineQueue<AuditRetentionJobData>;

  constructor(
    private readonly job: AuditRetentionJob,
    private readonly everyMs: number,
  ) {
    this.runs = new InlineQueue((run) => this.job.run(run.data.cutoff));
  }

  onApplicationBootstrap(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  whenScheduled(): Promise<void> {
    return Promise.resolve();
  }

  runNow(cutoff?: number): Promise<AuditRetentionRun> {
    return this.job.run(cutoff);
  }

  /** Resolves when no scheduled run is under way. */
  whenIdle(): Promise<void> {
    return this.runs.whenIdle();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.runs.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private tick(): void {
    const data = { cutoff: this.job.cutoffNow() };
    this.runs
      .add(AUDIT_RETENTION_JOB_NAME, data, { jobId: 'audit-retention', ...RETRY })
      .catch(() => undefined);
  }
}
