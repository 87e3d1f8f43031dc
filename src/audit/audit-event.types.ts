import type { SessionEventType } from '../events/session-event.types.js';

/**
 * Kinds of audit event the library records. Apps may record their own kinds too: any string is
 * accepted, the union only drives autocompletion.
 *
 * @example
 * const type: AuditEventType = 'session.revoked';
 */
export type AuditEventType = SessionEventType | (string & {});

/**
 * How the audited action ended.
 *
 * @example
 * const outcome: AuditOutcome = 'denied';
 */
export type AuditOutcome = 'success' | 'failure' | 'denied' | (string & {});

/**
 * What a caller hands to `AuditService.record()`. The service assigns `seq`, `at` (from the
 * injected clock), the key id and the hashes. Missing fields are stored as `null`; `outcome`
 * defaults to `'success'`. `sessionId` is the public session id, never a token or token hash.
 *
 * @example
 * await audit.record({
 *   type: 'login.failed',
 *   userId: 'u-42',
 *   ip: '203.0.113.7',
 *   outcome: 'failure',
 *   details: { reason: 'invalid_credentials' },
 * });
 */
export interface AuditEventInput {
  type: AuditEventType;
  actor?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  action?: string | null;
  resource?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown> | null;
}

/**
 * One stored audit event. As returned by `list()` / `tail()`, encrypted `details` fields are
 * decrypted; everything else is exactly what the chain signed.
 *
 * @example
 * const [last] = await audit.tail(1);
 * console.log(last.seq, last.type, last.hash);
 */
export interface AuditEventRecord {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  action: string | null;
  resource: string | null;
  outcome: string;
  details: Record<string, unknown>;
  keyId: string;
  prevHash: string;
  hash: string;
}

/**
 * Result of `AuditService.verify()`. `checked` counts the events whose link was verified;
 * `brokenAt` is the sequence number of the first event that cannot be vouched for.
 *
 * @example
 * const result = await audit.verify();
 * if (!result.ok) console.error(`audit chain broken at #${result.brokenAt}: ${result.reason}`);
 */
export type AuditVerifyResult =
  { ok: true; checked: number } | { ok: false; brokenAt: number; reason: string; checked: number };

/**
 * Options of `AuditService.verify()`.
 *
 * @example
 * await audit.verify({ batchSize: 1000 });
 */
export interface AuditVerifyOptions {
  /** Events read per query while walking the chain (default 500). */
  batchSize?: number;
}

/**
 * Filter of `AuditService.list()`: newest first, keyset-paginated with `beforeSeq`.
 *
 * @example
 * const page = await audit.list({ userId: 'u-42', limit: 20 });
 * const next = await audit.list({ userId: 'u-42', limit: 20, beforeSeq: page.at(-1)?.seq });
 */
export interface AuditListQuery {
  userId?: string;
  type?: AuditEventType;
  /** At most this many events (default 50, capped at 1000). */
  limit?: number;
  /** Only events with a smaller sequence number. */
  beforeSeq?: number;
}
