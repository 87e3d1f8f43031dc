import { createHash } from 'node:crypto';
import { RevocationFilterError, type RevocationFilter } from './revocation-filter.js';

/** Visible ASCII only, 1 to 128 characters (a UUID, a ULID, a client's own request id). */
const KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * Thrown when an `Idempotency-Key` already started a job for another filter or reason: the
 * client reused a key it should not have. The API answers 422 `idempotency_key_reused`.
 *
 * @example throw new IdempotencyKeyReusedError(existingJobId);
 */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly jobId: string) {
    super('This Idempotency-Key already started a job for a different filter or reason');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * Checks an `Idempotency-Key` (header or service option): absent is `undefined`; anything but
 * 1 to 128 visible ASCII characters is a {@link RevocationFilterError} naming `field`.
 *
 * @example parseIdempotencyKey(request.headers['idempotency-key'], 'Idempotency-Key');
 */
export function parseIdempotencyKey(value: unknown, field = 'idempotencyKey'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY.test(value)) {
    throw new RevocationFilterError(field, 'must be 1 to 128 visible ASCII characters');
  }
  return value;
}

/**
 * What identifies a request for idempotency: the key scoped to its actor (two admins never share
 * a key), and the request it started (filter and reason), both as SHA-256 hex.
 *
 * @example const { key, request } = idempotencyHashes('admin-1', 'k-1', { all: true }, 'incident');
 */
export function idempotencyHashes(
  actor: string | null,
  key: string,
  filter: RevocationFilter,
  reason: string,
): { key: string; request: string } {
  return {
    key: sha256(JSON.stringify([actor, key])),
    request: sha256(canonicalJson({ filter, reason })),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
