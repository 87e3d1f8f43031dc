import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Bull from 'bull';
import type { RedisSource } from '../common/redis-clients.js';
import { BullJobQueue } from '../common/bull-job-queue.js';
import type { AuditRetentionJob, AuditRetentionRun } from './audit-retention.job.js';
import {
  AUDIT_RETENTION_JOB_NAME,
  AUDIT_RETENTION_QUEUE,
  AUDIT_RETENTION_RETRY as RETRY,
  type AuditRetentionJobData,
  type AuditRetentionSchedule,
} from './audit-retention.schedule.js';

const KEEP = { removeOnComplete: 50, removeOnFail: 50 };

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
  private readonly bull: BullJobQueue<AuditRetentionJobData>;
  readonly queue: Bull.Queue<AuditRetentionJobData>;
  private scheduled: Promise<void> = Promise.resolve();

  constructor(
    redis: RedisSource,
    prefix: string,
    private readonly job: AuditRetentionJob,
    private readonly everyMs: number,
    worker: boolean,
  ) {
    this.bull = new BullJobQueue({
      name: AUDIT_RETENTION_QUEUE,
      redis,
      prefix,
      worker,
      handler: (job) => this.handle(job),
      logContext: 'SessionSecurityAudit',
    });
    this.queue = this.bull.queue;
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

  close(): Promise<void> {
    return this.bull.close();
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
