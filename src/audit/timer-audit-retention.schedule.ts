import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InlineQueue } from '../common/inline-queue.js';
import type { AuditRetentionJob, AuditRetentionRun } from './audit-retention.job.js';
import {
  AUDIT_RETENTION_JOB_NAME,
  AUDIT_RETENTION_RETRY as RETRY,
  type AuditRetentionJobData,
  type AuditRetentionSchedule,
} from './audit-retention.schedule.js';

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
