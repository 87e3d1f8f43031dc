import { parseDuration, type Duration } from '../common/duration.js';
import type { AuditPruneOptions } from './audit-retention.service.js';

const DAY = 24 * 3600 * 1000;
const MINUTE = 60 * 1000;
/** The longest interval a Node timer can wait (about 24.8 days). */
const MAX_EVERY = 2 ** 31 - 1;
const KNOWN = new Set(['maxAge', 'every', 'batchSize', 'archive']);

/**
 * `audit.retention`: the repeatable job that archives and deletes old audit events.
 *
 * @example
 * audit: { retention: { maxAge: '400d', every: '1h', archive: (events) => bucket.put(events) } }
 */
export interface AuditRetentionOptions {
  /** Events older than this are archived (when `archive` is set) and deleted; at least 1 day. */
  maxAge: Duration;
  /** How often the job runs (default `'1h'`; from 1 minute to 24 days). */
  every?: Duration;
  /** Events archived and deleted per transaction (default 500, at most 10,000). */
  batchSize?: number;
  /** Receives each batch, in stored form, before it is deleted (see `AuditPruneOptions.archive`). */
  archive?: AuditPruneOptions['archive'];
}

/**
 * `audit.retention` after validation, durations in milliseconds.
 *
 * @example const { maxAgeMs, everyMs } = resolveAuditConfig(options, secret).retention!;
 */
export interface ResolvedAuditRetention {
  maxAgeMs: number;
  everyMs: number;
  batchSize: number;
  archive?: AuditPruneOptions['archive'];
}

/**
 * Checks `audit.retention`, pushing one message per problem (each naming the option) onto
 * `problems`. `null` when retention is not configured.
 *
 * @example
 * const problems: string[] = [];
 * resolveAuditRetention({ maxAge: '90', every: '5s' }, problems);
 * // problems: ['audit.retention.maxAge: must be at least 1 day, got 90 ms', 'audit.retention.every: ...']
 */
export function resolveAuditRetention(
  value: unknown,
  problems: string[],
): ResolvedAuditRetention | null {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push("audit.retention: must be an object such as { maxAge: '90d', every: '1h' }");
    return null;
  }
  const options = value as Partial<AuditRetentionOptions>;
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      problems.push(`audit.retention.${key}: unknown option (use ${[...KNOWN].join(', ')})`);
    }
  }
  const duration = (name: keyof AuditRetentionOptions, raw: unknown, min: number, max: number) => {
    const path = `audit.retention.${name}`;
    try {
      const ms = parseDuration(raw as Duration, path);
      if (ms < min) problems.push(`${path}: must be at least ${describe(min)}, got ${ms} ms`);
      else if (ms > max) problems.push(`${path}: must be at most ${describe(max)}, got ${ms} ms`);
      return ms;
    } catch (error) {
      problems.push((error as Error).message);
      return 0;
    }
  };
  const maxAgeMs =
    options.maxAge === undefined
      ? (problems.push("audit.retention.maxAge: required (e.g. '90d')"), 0)
      : duration('maxAge', options.maxAge, DAY, Number.MAX_SAFE_INTEGER);
  const everyMs = duration('every', options.every ?? '1h', MINUTE, MAX_EVERY);
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    problems.push(
      `audit.retention.batchSize: must be an integer from 1 to 10000, got ${batchSize}`,
    );
  }
  if (options.archive !== undefined && typeof options.archive !== 'function') {
    problems.push('audit.retention.archive: must be a function receiving each batch of events');
  }
  return { maxAgeMs, everyMs, batchSize, archive: options.archive };
}

function describe(ms: number): string {
  if (ms === DAY) return '1 day';
  if (ms === MINUTE) return '1 minute';
  return `${Math.floor(ms / DAY)} days`;
}
