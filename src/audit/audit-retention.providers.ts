import type { Provider } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { jobQueueToken } from '../jobs/job-queue.js';
import { JobQueues } from '../jobs/job-queues.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { AuditRetentionJob, type AuditRetentionRun } from './audit-retention.job.js';
import {
  AUDIT_RETENTION_JOB_NAME,
  AUDIT_RETENTION_QUEUE,
  AUDIT_RETENTION_RETRY,
  AUDIT_RETENTION_SCHEDULE,
  type AuditRetentionJobData,
  type AuditRetentionSchedule,
} from './audit-retention.schedule.js';

/**
 * Providers of the audit retention job, for the module that provides `RESOLVED_OPTIONS`,
 * `JobQueues`, `AUDIT_CONFIG`, `Clock` and `AuditRetentionService` (i.e. inside
 * `SessionSecurityModule`). With `audit.retention` set and the module's Redis, every instance
 * registers the one repeatable Bull job on `session-security-audit-retention`, and instances with
 * `worker` (default `true`) process it; without Redis, a timer runs it here when `worker` is on.
 * Without `audit.retention`, {@link AUDIT_RETENTION_SCHEDULE} is `null` and nothing is opened.
 *
 * @example
 * providers: [...coreProviders, ...auditRetentionProviders({ worker: extras.worker })]
 */
export function auditRetentionProviders(extras: { worker?: boolean } = {}): Provider[] {
  const worker = extras.worker !== false;
  return [
    AuditRetentionJob,
    {
      provide: AUDIT_RETENTION_SCHEDULE,
      inject: [RESOLVED_OPTIONS, JobQueues, AuditRetentionJob],
      useFactory: (
        o: ResolvedOptions,
        queues: JobQueues,
        job: AuditRetentionJob,
      ): AuditRetentionSchedule | null => {
        const retention = o.audit.retention;
        if (!retention) return null;
        return queues.repeat<AuditRetentionJobData, AuditRetentionRun>({
          name: AUDIT_RETENTION_QUEUE,
          jobName: AUDIT_RETENTION_JOB_NAME,
          everyMs: retention.everyMs,
          data: {},
          retry: AUDIT_RETENTION_RETRY,
          worker,
          logContext: 'SessionSecurityAudit',
          handler: async (run) => {
            // The first try fixes the cutoff, so that a retry prunes exactly the same range.
            let cutoff = run.data.cutoff;
            if (cutoff === undefined) {
              cutoff = job.cutoffNow();
              await run.update({ ...run.data, cutoff });
            }
            return job.run(cutoff);
          },
        });
      },
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: jobQueueToken(AUDIT_RETENTION_QUEUE),
      inject: [AUDIT_RETENTION_SCHEDULE],
      useFactory: (schedule: AuditRetentionSchedule | null) => schedule?.queue.bull ?? null,
    },
  ];
}
