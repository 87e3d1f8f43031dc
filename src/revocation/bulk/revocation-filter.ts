import { z } from 'zod';
import { CidrSet } from '../../network/client-ip.js';

/**
 * Which sessions a bulk revocation ends. Criteria combine with AND; a list matches any of its
 * entries (`roles: ['a', 'b']` is "has role a or b").
 *
 * @example
 * const filter: RevocationFilter = { roles: ['editor'], createdBefore: '2026-03-01T00:00:00Z' };
 */
export interface RevocationFilter {
  userIds?: string[];
  roles?: string[];
  tenantId?: string;
  /** ISO 8601 date-time with an offset; sessions created strictly before it. */
  createdBefore?: string;
  /** ISO 8601 date-time with an offset; sessions last authenticated strictly before it. */
  authenticatedBefore?: string;
  /** A CIDR (`10.0.0.0/8`) or one address: the session's recorded client IP. */
  ip?: string;
  /** Case-insensitive substring of the session's user agent (at most 200 characters). */
  userAgent?: string;
  all?: true;
}

/**
 * A validated request to revoke sessions in bulk.
 *
 * @example
 * const request: RevocationRequest = { filter: { all: true }, reason: 'incident 42', dryRun: true };
 */
export interface RevocationRequest {
  filter: RevocationFilter;
  reason: string;
  dryRun: boolean;
}

/**
 * A filter or request that fails validation; `field` is the dotted path of the first bad entry
 * (`filter.ip`, `reason`), so an API can answer 400 `invalid_request` naming it.
 *
 * @example
 * try { parseRevocationFilter({ ip: 'nope' }); } catch (e) { (e as RevocationFilterError).field; } // 'ip'
 */
export class RevocationFilterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RevocationFilterError';
  }
}

const NAME = /^[A-Za-z0-9_.:@-]+$/;
/** Control characters (NUL above all, which PostgreSQL text refuses) have no place in a filter. */
const CONTROL = /\p{Cc}/u;
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters');
const id = text(128);
const dateTime = z.iso.datetime({ offset: true });

const filterSchema = z
  .object({
    userIds: z.array(id).min(1).max(10_000).optional(),
    roles: z
      .array(z.string().min(1).max(64).regex(NAME, 'letters, digits and _ . : @ - only'))
      .min(1)
      .max(32)
      .optional(),
    tenantId: id.optional(),
    createdBefore: dateTime.optional(),
    authenticatedBefore: dateTime.optional(),
    ip: z
      .string()
      .min(1)
      .max(64)
      .refine((value) => validCidr(value), 'must be a CIDR such as 10.0.0.0/8 or one address')
      .optional(),
    userAgent: text(200).optional(),
    all: z.literal(true).optional(),
  })
  .strict();

const requestSchema = z
  .object({
    filter: z.unknown(),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .refine((value) => !CONTROL.test(value), 'must not contain control characters'),
    dryRun: z.boolean().optional(),
  })
  .strict();

/**
 * Validates a filter: known keys only, at least one criterion, every value well-formed.
 *
 * @throws RevocationFilterError naming the first bad field
 * @example
 * const filter = parseRevocationFilter({ tenantId: 'acme' });
 */
export function parseRevocationFilter(input: unknown, path = ''): RevocationFilter {
  const parsed = filterSchema.safeParse(input ?? null);
  if (!parsed.success) throw toFilterError(parsed.error, path);
  const filter = Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  ) as RevocationFilter;
  if (Object.keys(filter).length === 0) {
    throw new RevocationFilterError(
      path || 'filter',
      'give at least one criterion (userIds, roles, tenantId, createdBefore, authenticatedBefore, ip, userAgent or all: true)',
    );
  }
  return filter;
}

/**
 * Validates a whole request body `{ filter, reason, dryRun? }`.
 *
 * @throws RevocationFilterError naming the first bad field (`filter.roles.0`, `reason`, ...)
 * @example
 * const { filter, reason, dryRun } = parseRevocationRequest(body);
 */
export function parseRevocationRequest(input: unknown): RevocationRequest {
  const parsed = requestSchema.safeParse(input ?? null);
  if (!parsed.success) throw toFilterError(parsed.error, '');
  if (parsed.data.filter === undefined) {
    throw new RevocationFilterError('filter', 'required');
  }
  return {
    filter: parseRevocationFilter(parsed.data.filter, 'filter'),
    reason: parsed.data.reason,
    dryRun: parsed.data.dryRun ?? false,
  };
}

function toFilterError(error: z.ZodError, prefix: string): RevocationFilterError {
  const issue = error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  const field = [prefix, ...path].filter(Boolean).join('.') || prefix || 'body';
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  return new RevocationFilterError(field, message);
}

function validCidr(value: string): boolean {
  try {
    new CidrSet([value]);
    return true;
  } catch {
    return false;
  }
}
