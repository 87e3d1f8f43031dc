import type { ResolvedAuditConfig } from './audit-config.js';
import { looksLikeSecret, sanitizeDetails } from './audit-details-guard.js';
import { AUDIT_COLUMN_LENGTHS } from './audit-event.entity.js';
import type { AuditEventInput, AuditEventRecord } from './audit-event.types.js';
import { encryptDetails } from './audit-field-cipher.js';

/**
 * An event ready to be chained: cleaned, redacted and encrypted, waiting for its `seq`, key id
 * and hashes.
 *
 * @example
 * const draft: AuditEventDraft = draftAuditEvent({ type: 'logout', userId: 'u-1' }, now, config);
 */
export type AuditEventDraft = Omit<AuditEventRecord, 'seq' | 'keyId' | 'prevHash' | 'hash'>;

type Column = keyof typeof AUDIT_COLUMN_LENGTHS;

/**
 * Turns caller input into exactly what will be stored, so the HMAC covers what the database
 * gives back: strings lose NUL characters and lone surrogates (PostgreSQL cannot store them) and
 * are cut to their column length; credential-named `details` keys are dropped and listed in
 * `details.redacted`; a `sessionId` that looks like a token or token hash is dropped likewise;
 * fields named in `encryptFields` are encrypted.
 *
 * @example
 * draftAuditEvent({ type: 'login.failed', details: { password: 'x' } }, Date.now(), config).details;
 * // { redacted: ['password'] }
 */
export function draftAuditEvent(
  input: AuditEventInput,
  at: number,
  config: ResolvedAuditConfig,
): AuditEventDraft {
  const type = clean(input?.type, 'type');
  if (!type) throw new TypeError('audit event: type is required');
  const { details, redacted } = sanitizeDetails(input.details);
  let sessionId = clean(input.sessionId, 'sessionId');
  if (sessionId !== null && looksLikeSecret(sessionId)) {
    sessionId = null;
    redacted.push('sessionId');
  }
  if (redacted.length > 0) details.redacted = redacted;
  return {
    at,
    type,
    actor: clean(input.actor, 'actor'),
    userId: clean(input.userId, 'userId'),
    sessionId,
    ip: clean(input.ip, 'ip'),
    userAgent: clean(input.userAgent, 'userAgent'),
    action: clean(input.action, 'action'),
    resource: clean(input.resource, 'resource'),
    outcome: clean(input.outcome, 'outcome') ?? 'success',
    details: encryptDetails(details, config.encryptFields, config.encryption),
  };
}

function clean(value: unknown, column: Column): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).replace(/\0/g, '').slice(0, AUDIT_COLUMN_LENGTHS[column]);
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}
