import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditEventRecord } from './audit-event.types.js';

/** `prevHash` of the very first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The fields of an event that its `hash` covers: everything but `prevHash` (appended to the
 * canonical form) and `hash` itself. `details` is covered in its stored (encrypted) form.
 *
 * @example
 * const fields: AuditSignedFields = { seq: 1, at: Date.now(), type: 'logout', ... };
 */
export type AuditSignedFields = Omit<AuditEventRecord, 'prevHash' | 'hash'>;

/**
 * Hash of one chain link: hex HMAC-SHA256 under `key` of the canonical JSON of the event's
 * signed fields, followed by `prevHash`. Absent optional fields count as `null`, so `undefined`
 * and `null` sign alike.
 *
 * @example
 * const hash = signAuditEvent(key, { ...fields, seq: 1, keyId: 'k1' }, GENESIS_HASH);
 */
export function signAuditEvent(key: Buffer, fields: AuditSignedFields, prevHash: string): string {
  const signed = {
    seq: fields.seq,
    at: fields.at,
    type: fields.type,
    actor: fields.actor ?? null,
    userId: fields.userId ?? null,
    sessionId: fields.sessionId ?? null,
    ip: fields.ip ?? null,
    userAgent: fields.userAgent ?? null,
    action: fields.action ?? null,
    resource: fields.resource ?? null,
    outcome: fields.outcome,
    details: fields.details,
    keyId: fields.keyId,
  };
  return createHmac('sha256', key).update(canonicalJson(signed)).update(prevHash).digest('hex');
}

/**
 * The signed part of a retention checkpoint.
 *
 * @example
 * const fields: AuditCheckpointFields = { seq: 10, hash, eventAt, createdAt, removed: 10, keyId };
 */
export interface AuditCheckpointFields {
  seq: number;
  hash: string;
  eventAt: number;
  createdAt: number;
  removed: number;
  keyId: string;
}

/**
 * MAC of a retention checkpoint, so a forged checkpoint cannot excuse deleted events.
 *
 * @example
 * const mac = signAuditCheckpoint(key, { seq: 10, hash, eventAt, createdAt, removed: 10, keyId: 'k1' });
 */
export function signAuditCheckpoint(key: Buffer, fields: AuditCheckpointFields): string {
  const { seq, hash, eventAt, createdAt, removed, keyId } = fields;
  const signed = { kind: 'audit-checkpoint', seq, hash, eventAt, createdAt, removed, keyId };
  return createHmac('sha256', key).update(canonicalJson(signed)).digest('hex');
}

/**
 * Constant-time comparison of two hex digests.
 *
 * @example
 * sameDigest(stored.hash, signAuditEvent(key, stored, stored.prevHash)); // true when untouched
 */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(String(a));
  const right = Buffer.from(String(b));
  return left.length === right.length && timingSafeEqual(left, right);
}
