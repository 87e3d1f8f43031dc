import { z } from 'zod';
import type { Duration } from '../../common/duration.js';
import { booleanOption, durationOption, integerOption } from '../../options/option-schemas.js';
import { parseSection } from '../../options/option-issues.js';

/** Name of the Bull queue that carries bulk revocation jobs. */
export const REVOCATION_QUEUE = 'session-security-revocations';
/** Name of the one job kind on {@link REVOCATION_QUEUE}. */
export const REVOCATION_JOB_NAME = 'revoke';

/** DI token of the resolved {@link BulkRevocationOptions}. */
export const BULK_REVOCATION_OPTIONS = Symbol('SESSION_SECURITY_BULK_REVOCATION_OPTIONS');
/** DI token of the `RevocationJobQueue` bulk revocation jobs go to. */
export const REVOCATION_JOB_QUEUE = Symbol('SESSION_SECURITY_REVOCATION_JOB_QUEUE');

/**
 * Options of bulk revocation: the `bulkRevocation` extra of `SessionSecurityModule.forRoot`.
 *
 * @example
 * SessionSecurityModule.forRoot({ ...options, bulkRevocation: { batchSize: 2_000 } });
 */
export interface BulkRevocationOptions {
  /**
   * Process jobs in this process (default `true`); `false` on app instances with separate
   * workers. Jobs go to the Bull queue {@link REVOCATION_QUEUE} when the module has Redis, and run
   * in process (unfinished ones resumed at the next start) when it does not.
   */
  worker?: boolean;
  /** Sessions per batch, i.e. per transaction (default 5000). */
  batchSize?: number;
  /** Tries per job before it is `failed` (default 5); each try resumes from the cursor. */
  attempts?: number;
  /** First retry delay, doubled on each retry (default `'1s'`). */
  backoff?: Duration;
  /**
   * Bull only: how long a job whose worker died (killed, lost its host) stays `active` before
   * another worker takes it over from its last committed batch (default `'30s'`, at least
   * `'500ms'`). A live worker renews its lock every half of this.
   */
  stalledAfter?: Duration;
  /**
   * Send the users of revoked sessions a `session_revoked` notification (default `true`), never
   * twice for the same thing however often a batch is retried or a job resumed.
   */
  notify?: boolean;
  /**
   * With `notify`: `'user'` (default) — one notification per user per job, written by the first
   * batch that revokes one of the user's sessions and listing that batch's sessions of the user
   * (`payload.sessionIds`; the job's later batches add none for that user); `'session'` — one per
   * revoked session (`payload.sessionId`).
   */
  notifyPer?: 'user' | 'session';
}

/**
 * {@link BulkRevocationOptions} checked, with defaults, durations in ms.
 *
 * @example const o: ResolvedBulkRevocationOptions = resolveBulkRevocationOptions({});
 */
export interface ResolvedBulkRevocationOptions {
  worker: boolean;
  batchSize: number;
  attempts: number;
  backoffMs: number;
  stalledAfterMs: number;
  notify: boolean;
  notifyPer: 'user' | 'session';
}

/** The `bulkRevocation` section of the options pipeline: shape, defaults, durations in ms. */
export const bulkRevocationSection = z
  .strictObject({
    worker: booleanOption(true),
    batchSize: integerOption(5_000, 1, 100_000),
    attempts: integerOption(5, 1, 100),
    backoff: durationOption('1s', { max: 3_600_000 }),
    stalledAfter: durationOption('30s', { min: 500, max: 3_600_000 }),
    notify: booleanOption(true),
    notifyPer: z.enum(['user', 'session'], "must be 'user' or 'session'").default('user'),
  })
  .transform(({ backoff, stalledAfter, ...options }): ResolvedBulkRevocationOptions => ({
    ...options,
    backoffMs: backoff,
    stalledAfterMs: stalledAfter,
  }));

/**
 * Checks the options once, at startup; throws a `SessionSecurityOptionsError` naming every bad
 * option under `bulkRevocation.`.
 *
 * @example resolveBulkRevocationOptions({ batchSize: 0 }); // throws 'bulkRevocation.batchSize: must be ...'
 */
export function resolveBulkRevocationOptions(
  options: BulkRevocationOptions = {},
): ResolvedBulkRevocationOptions {
  return parseSection('bulkRevocation', bulkRevocationSection, options);
}
