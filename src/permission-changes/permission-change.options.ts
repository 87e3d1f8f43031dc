import type { DataSource } from 'typeorm';
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
  /** First retry delay in ms, doubled on each retry (default 1000). */
  backoffMs?: number;
  /** Session rows marked per transaction (default 500). */
  batchSize?: number;
}

/** {@link PermissionChangeOptions} checked, with defaults. */
export interface ResolvedPermissionChangeOptions {
  watch: ResolvedPermissionWatch[];
  attempts: number;
  backoffMs: number;
  batchSize: number;
}

/** Startup error naming each bad `permissionChanges` option. */
export class PermissionChangeOptionsError extends Error {
  constructor(problems: string[]) {
    super(`Invalid permissionChanges options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PermissionChangeOptionsError';
  }
}

const KEYS = new Set(['watch', 'attempts', 'backoffMs', 'batchSize']);

/**
 * Checks `permissionChanges` once, at startup, against the module's DataSource (each watched
 * entity must be one of its entities, each column one of the entity's properties) and fills in
 * defaults; throws a {@link PermissionChangeOptionsError} listing every problem.
 *
 * @example
 * resolvePermissionChangeOptions({ watch: [{ entity: User, columns: ['rolez'], userId }] }, dataSource);
 * // throws "permissionChanges.watch[0].columns[0]: 'rolez' is not a property of User (...)"
 */
export function resolvePermissionChangeOptions(
  options: PermissionChangeOptions | undefined,
  dataSource: DataSource,
): ResolvedPermissionChangeOptions {
  const problems: string[] = [];
  const at = 'permissionChanges';
  const raw = (options ?? {}) as PermissionChangeOptions & Record<string, unknown>;
  for (const key of Object.keys(raw))
    if (!KEYS.has(key)) problems.push(`${at}.${key}: unknown option`);
  const integer = (name: keyof PermissionChangeOptions, fallback: number, max: number) => {
    const value = (raw[name] as number | undefined) ?? fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      problems.push(`${at}.${name}: must be an integer from 1 to ${max}, got ${String(value)}`);
    }
    return value;
  };
  const resolved: ResolvedPermissionChangeOptions = {
    watch: [],
    attempts: integer('attempts', 8, 100),
    backoffMs: integer('backoffMs', 1_000, 3_600_000),
    batchSize: integer('batchSize', 500, 100_000),
  };
  if (raw.watch !== undefined && !Array.isArray(raw.watch)) {
    problems.push(`${at}.watch: must be an array of { entity, columns?, on?, userId }`);
  }
  (Array.isArray(raw.watch) ? raw.watch : []).forEach((watch, i) => {
    const path = `${at}.watch[${i}]`;
    const one = resolveWatch(watch, path, dataSource, problems);
    if (one) resolved.watch.push(one);
  });
  if (problems.length > 0) throw new PermissionChangeOptionsError(problems);
  return resolved;
}
