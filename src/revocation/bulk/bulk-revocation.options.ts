/** Name of the Bull queue that carries bulk revocation jobs. */
export const REVOCATION_QUEUE = 'session-security-revocations';
/** Name of the one job kind on {@link REVOCATION_QUEUE}. */
export const REVOCATION_JOB_NAME = 'revoke';

/** DI token of the resolved {@link BulkRevocationOptions}. */
export const BULK_REVOCATION_OPTIONS = Symbol('SESSION_SECURITY_BULK_REVOCATION_OPTIONS');
/** DI token of the queue bulk revocation jobs go to (Bull, or the in-process runner). */
export const REVOCATION_JOB_QUEUE = Symbol('SESSION_SECURITY_REVOCATION_JOB_QUEUE');

/**
 * Options of `bulkRevocationProviders()`.
 *
 * @example
 * bulkRevocationProviders({ batchSize: 2_000, worker: process.env.ROLE === 'worker' });
 */
export interface BulkRevocationOptions {
  /**
   * `'bull'` (default when the module has Redis): jobs go to the Bull queue
   * {@link REVOCATION_QUEUE}; `'inline'` (default in single-instance mode): jobs run in this
   * process and unfinished ones are resumed at the next start.
   */
  queue?: 'bull' | 'inline';
  /** Process jobs in this process (default `true`); `false` on app instances with separate workers. */
  worker?: boolean;
  /** Sessions per batch, i.e. per transaction (default 5000). */
  batchSize?: number;
  /** Tries per job before it is `failed` (default 5); each try resumes from the cursor. */
  attempts?: number;
  /** First retry delay in ms, doubled on each retry (default 1000). */
  backoffMs?: number;
  /** Key prefix of the Bull queue (default: the module's `redisKeyPrefix` + `'bull'`). */
  queuePrefix?: string;
  /**
   * Bull only: how long a job whose worker died (killed, lost its host) stays `active` before
   * another worker takes it over from its last committed batch, in ms (default 30000). A live
   * worker renews its lock every half of this.
   */
  stalledAfterMs?: number;
  /**
   * Send each revoked session's user a `session_revoked` notification (default `true`), one per
   * session however often a batch is retried.
   */
  notify?: boolean;
}

/**
 * {@link BulkRevocationOptions} checked, with defaults.
 *
 * @example const o: ResolvedBulkRevocationOptions = resolveBulkRevocationOptions({});
 */
export interface ResolvedBulkRevocationOptions {
  queue: 'bull' | 'inline' | null;
  worker: boolean;
  batchSize: number;
  attempts: number;
  backoffMs: number;
  queuePrefix: string | null;
  stalledAfterMs: number;
  notify: boolean;
}

/**
 * Checks the options once, at startup; throws an error naming every bad option.
 *
 * @example resolveBulkRevocationOptions({ batchSize: 0 }); // throws 'batchSize: must be ...'
 */
export function resolveBulkRevocationOptions(
  options: BulkRevocationOptions = {},
): ResolvedBulkRevocationOptions {
  const problems: string[] = [];
  const integer = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  if (options.queue !== undefined && options.queue !== 'bull' && options.queue !== 'inline') {
    problems.push(`queue: must be 'bull' or 'inline', got '${options.queue}'`);
  }
  if (options.queuePrefix !== undefined && !/^[A-Za-z0-9:_.-]{1,64}$/.test(options.queuePrefix)) {
    problems.push(
      `queuePrefix: 1-64 letters, digits and : _ . - only, got '${options.queuePrefix}'`,
    );
  }
  const resolved: ResolvedBulkRevocationOptions = {
    queue: options.queue ?? null,
    worker: options.worker ?? true,
    batchSize: integer('batchSize', options.batchSize ?? 5_000, 1, 100_000),
    attempts: integer('attempts', options.attempts ?? 5, 1, 100),
    backoffMs: integer('backoffMs', options.backoffMs ?? 1_000, 1, 3_600_000),
    queuePrefix: options.queuePrefix ?? null,
    stalledAfterMs: integer('stalledAfterMs', options.stalledAfterMs ?? 30_000, 500, 3_600_000),
    notify: options.notify ?? true,
  };
  if (typeof resolved.notify !== 'boolean') {
    problems.push(`notify: must be true or false, got ${String(options.notify)}`);
  }
  if (typeof resolved.worker !== 'boolean') {
    problems.push(`worker: must be true or false, got ${String(options.worker)}`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid bulk revocation options:\n  - ${problems.join('\n  - ')}`);
  }
  return resolved;
}
