import type { RepeatableSchedule } from '../jobs/repeatable-schedule.js';
import type { AuditRetentionRun } from './audit-retention.job.js';

/** Name of the queue that carries the audit retention job. */
export const AUDIT_RETENTION_QUEUE = 'session-security-audit-retention';
/** Name of the one (repeatable) job kind on {@link AUDIT_RETENTION_QUEUE}. */
export const AUDIT_RETENTION_JOB_NAME = 'prune';
/** DI token of the {@link AuditRetentionSchedule} (`null` when retention is off here). */
export const AUDIT_RETENTION_SCHEDULE = Symbol('SESSION_SECURITY_AUDIT_RETENTION_SCHEDULE');

/** Tries per run (the first included), and the wait before the first retry (then doubled). */
export const AUDIT_RETENTION_RETRY = {
  attempts: 3,
  backoff: { type: 'exponential' as const, delay: 60_000 },
};

/** Data of a retention job: the cutoff, fixed by the first try so that retries reuse it. */
export interface AuditRetentionJobData {
  cutoff?: number;
}

/**
 * Where the retention job is scheduled: a repeatable Bull job shared by every instance, or an
 * in-process timer in single-instance mode (the module's one schedule primitive).
 *
 * @example
 * const schedule = app.get<AuditRetentionSchedule>(AUDIT_RETENTION_SCHEDULE);
 * const { removed } = await schedule.runNow();
 */
export type AuditRetentionSchedule = RepeatableSchedule<AuditRetentionJobData, AuditRetentionRun>;
