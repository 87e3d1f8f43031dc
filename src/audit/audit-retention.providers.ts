import type { Provider } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { AuditRetentionJob } from './audit-retention.job.js';
import {
  AUDIT_RETENTION_QUEUE,
  AUDIT_RETENTION_SCHEDULE,
  type AuditRetentionSchedule,
} from './audit-retention.schedule.js';
import { BullAuditRetentionSchedule } from './bull-audit-retention.schedule.js';
import { TimerAuditRetentionSchedule } from './timer-audit-retention.schedule.js';

/**
 * Providers of the audit retention job, for the module that provides `RESOLVED_OPTIONS`,
 * `AUDIT_CONFIG`, `Clock` and `AuditRetentionService` (i.e. inside `SessionSecurityModule`).
 * With `audit.retention` set and the module's Redis, every instance registers the one repeatable
 * Bull job on `session-security-audit-retention` under `<redisKeyPrefix>bull`, and instances with
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
      inject: [RESOLVED_OPTIONS, AuditRetentionJob],
      useFactory: (o: ResolvedOptions, job: AuditRetentionJob): AuditRetentionSchedule | null => {
        const retention = o.audit.retention;
        if (!retention) return null;
        if (o.redis) {
          const prefix = `${o.redisKeyPrefix}bull`;
          return new BullAuditRetentionSchedule(o.redis, prefix, job, retention.everyMs, worker);
        }
        return worker ? new TimerAuditRetentionSchedule(job, retention.everyMs) : null;
      },
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: getQueueToken(AUDIT_RETENTION_QUEUE),
      inject: [AUDIT_RETENTION_SCHEDULE],
      useFactory: (schedule: AuditRetentionSchedule | null) =>
        schedule instanceof BullAuditRetentionSchedule ? schedule.queue : null,
    },
  ];
}
