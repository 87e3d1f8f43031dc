import type { DataSource, EntityMetadata } from 'typeorm';

/** Name of the Bull queue that carries permission-change jobs. */
export const PERMISSION_CHANGE_QUEUE = 'session-security-permission-changes';
/** Name of the one job kind on {@link PERMISSION_CHANGE_QUEUE}. */
export const PERMISSION_CHANGE_JOB = 'mark';
/** DI token of the {@link ResolvedPermissionChangeOptions}. */
export const PERMISSION_CHANGE_OPTIONS = Symbol('SESSION_SECURITY_PERMISSION_CHANGE_OPTIONS');

/** Writes of a watched entity that count as a permission change. */
export type PermissionWatchEvent = 'insert' | 'update' | 'remove';

/**
 * One entity whose changes change a user's permissions, e.g. the app's `User.roles`, or every row
 * of a `UserRole` join entity.
 *
 * @example
 * const watch: PermissionWatch<User> = { entity: User, columns: ['roles'], userId: (u) => u.id };
 */
export interface PermissionWatch<E = any> {
  /** The entity class; it must be an entity of the module's DataSource. */
  entity: abstract new (...args: any[]) => E;
  /** Only updates of these properties count (default: any property). */
  columns?: Array<keyof E & string>;
  /** Which writes count (default `['update']` with `columns`, all three without). */
  on?: PermissionWatchEvent[];
  /** Whose permissions changed, from the written row (`null`/`undefined`: nobody's). */
  userId: (row: E) => string | number | null | undefined;
  /** Recorded as the change's reason (default `'<Entity>.changed'`, e.g. `'User.changed'`). */
  reason?: string;
}

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

/** One {@link PermissionWatch}, checked against the DataSource. */
export interface ResolvedPermissionWatch {
  target: EntityMetadata['target'];
  name: string;
  columns: Set<string> | null;
  on: Set<PermissionWatchEvent>;
  userId: (row: any) => string | number | null | undefined;
  reason: string;
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
const WATCH_KEYS = new Set(['entity', 'columns', 'on', 'userId', 'reason']);
const EVENTS = new Set<PermissionWatchEvent>(['insert', 'update', 'remove']);

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

function resolveWatch(
  watch: PermissionWatch,
  path: string,
  dataSource: DataSource,
  problems: string[],
): ResolvedPermissionWatch | null {
  if (!watch || typeof watch !== 'object') {
    problems.push(`${path}: must be { entity, columns?, on?, userId }`);
    return null;
  }
  for (const key of Object.keys(watch)) {
    if (!WATCH_KEYS.has(key)) problems.push(`${path}.${key}: unknown option`);
  }
  const entity = watch.entity as unknown;
  const name = typeof entity === 'function' ? entity.name : String(entity);
  if (typeof entity !== 'function' || !dataSource.hasMetadata(entity)) {
    problems.push(`${path}.entity: ${name} is not an entity of the module's DataSource`);
    return null;
  }
  const metadata = dataSource.getMetadata(entity);
  if (typeof watch.userId !== 'function') {
    problems.push(`${path}.userId: must be a function (row) => the user's id`);
  }
  let columns: Set<string> | null = null;
  if (watch.columns !== undefined) {
    if (!Array.isArray(watch.columns) || watch.columns.length === 0) {
      problems.push(`${path}.columns: must be a non-empty array of property names, or left out`);
    } else {
      const known = metadata.columns.map((c) => c.propertyPath);
      watch.columns.forEach((column, j) => {
        if (!known.includes(column)) {
          problems.push(
            `${path}.columns[${j}]: '${String(column)}' is not a property of ${name} ` +
              `(properties: ${known.join(', ')})`,
          );
        }
      });
      columns = new Set(watch.columns);
    }
  }
  const on = watch.on ?? (columns ? ['update'] : ['insert', 'update', 'remove']);
  if (!Array.isArray(on) || on.length === 0) {
    problems.push(`${path}.on: must be a non-empty array of 'insert', 'update', 'remove'`);
  } else {
    on.forEach((event, j) => {
      if (!EVENTS.has(event)) {
        problems.push(`${path}.on[${j}]: must be 'insert', 'update' or 'remove', got '${event}'`);
      }
    });
  }
  const reason = watch.reason ?? `${name}.changed`;
  if (typeof reason !== 'string' || reason.length < 1 || reason.length > 256) {
    problems.push(`${path}.reason: must be 1 to 256 characters`);
  }
  return {
    target: metadata.target,
    name,
    columns,
    on: new Set(Array.isArray(on) ? on : []),
    userId: watch.userId,
    reason,
  };
}
