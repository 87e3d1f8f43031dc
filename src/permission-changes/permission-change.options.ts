import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Duration } from '../common/duration.js';
import { durationOption, integerOption } from '../options/option-schemas.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { parseSection } from '../options/option-issues.js';
import {
  resolveWatch,
  type PermissionWatch,
  type ResolvedPermissionWatch,
} from './permission-watch.js';

/** Name of the Bull queue that carries permission-change jobs. */
export const PERMISSION_CHANGE_QUEUE = 'session-security-permission-changes';
/** Name of the one job kind on {@link PERMISSION_CHANGE_QUEUE}. */
export const PERMISSION_CHANGE_JOB = 'mark';
/** DI token of the {@link ResolvedPermissionChangeOptions}. */
export const PERMISSION_CHANGE_OPTIONS = Symbol('SESSION_SECURITY_PERMISSION_CHANGE_OPTIONS');

/**
 * The module option `permissionChanges`.
 *
 * @example
 * SessionSecurityModule.forRoot({ ..., permissionChanges: { watch: [{ entity: User, columns: ['roles'], userId: (u) => u.id }] } });
 */
export interface PermissionChangeOptions {
  /** Opt-in automatic detection: entity writes that call `permissionsChanged()` after commit. */
  watch?: PermissionWatch[];
  /** Tries per job before its change is `failed` (default 8). */
  attempts?: number;
  /** First retry delay, doubled on each retry (default `'1s'`). */
  backoff?: Duration;
  /** Session rows marked per transaction (default 500). */
  batchSize?: number;
}

/** {@link PermissionChangeOptions} checked, with defaults, durations in ms. */
export interface ResolvedPermissionChangeOptions {
  watch: ResolvedPermissionWatch[];
  attempts: number;
  backoffMs: number;
  batchSize: number;
}

/**
 * The `permissionChanges` section of the options pipeline. Watched entities are checked against
 * the DataSource afterwards, by {@link finishPermissionChangeOptions}.
 */
export const permissionChangeSection = z.strictObject({
  watch: z.array(z.unknown(), 'must be an array of { entity, columns?, on?, userId }').default([]),
  attempts: integerOption(8, 1, 100),
  backoff: durationOption('1s', { max: 3_600_000 }),
  batchSize: integerOption(500, 1, 100_000),
});

/**
 * Checks the parsed section against the module's DataSource (each watched entity must be one of
 * its entities, each column one of the entity's properties), pushing one line per problem.
 *
 * @example finishPermissionChangeOptions(parsed.permissionChanges, dataSource, problems)
 */
export function finishPermissionChangeOptions(
  section: z.output<typeof permissionChangeSection>,
  dataSource: DataSource,
  problems: string[],
): ResolvedPermissionChangeOptions {
  const watch: ResolvedPermissionWatch[] = [];
  section.watch.forEach((entry, i) => {
    const one = resolveWatch(
      entry as PermissionWatch,
      `permissionChanges.watch[${i}]`,
      dataSource,
      problems,
    );
    if (one) watch.push(one);
  });
  const { attempts, backoff, batchSize } = section;
  return { watch, attempts, backoffMs: backoff, batchSize };
}

/**
 * Checks `permissionChanges` on its own (the module does it in its options pipeline) and fills
 * in defaults; throws a `SessionSecurityOptionsError` listing every problem.
 *
 * @example
 * resolvePermissionChangeOptions({ watch: [{ entity: User, columns: ['rolez'], userId }] }, dataSource);
 * // throws "permissionChanges.watch[0].columns[0]: 'rolez' is not a property of User (...)"
 */
export function resolvePermissionChangeOptions(
  options: PermissionChangeOptions | undefined,
  dataSource: DataSource,
): ResolvedPermissionChangeOptions {
  const section = parseSection('permissionChanges', permissionChangeSection, options ?? {});
  const problems: string[] = [];
  const resolved = finishPermissionChangeOptions(section, dataSource, problems);
  if (problems.length > 0) throw new SessionSecurityOptionsError(problems);
  return resolved;
}

declare module '../options/resolved-options.js' {
  /** The `permissionChanges` slice of the resolved options, filled by `resolveOptions()`. */
  interface ResolvedOptions {
    permissionChanges: ResolvedPermissionChangeOptions;
  }
}
