import { z } from 'zod';
import type { Duration } from '../common/duration.js';
import { durationOption, functionOption, integerOption } from '../options/option-schemas.js';
import type { AuditPruneOptions } from './audit-retention.service.js';

const DAY = 24 * 3600 * 1000;
const MINUTE = 60 * 1000;
/** The longest interval a Node timer can wait (about 24.8 days). */
const MAX_EVERY = 2 ** 31 - 1;

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

/** The `audit.retention` section of the options pipeline, durations in ms. */
export const auditRetentionSection = z
  .strictObject(
    {
      maxAge: durationOption(undefined, { min: DAY }),
      every: durationOption('1h', { min: MINUTE, max: MAX_EVERY }),
      batchSize: integerOption(500, 1, 10_000),
      archive: functionOption<NonNullable<AuditPruneOptions['archive']>>(
        'a function receiving each batch of events',
      ).optional(),
    },
    "must be an object such as { maxAge: '90d', every: '1h' }",
  )
  .transform(({ maxAge, every, batchSize, archive }): ResolvedAuditRetention => ({
    maxAgeMs: maxAge,
    everyMs: every,
    batchSize,
    archive,
  }));
