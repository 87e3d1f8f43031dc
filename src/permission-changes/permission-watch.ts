import type { DataSource, EntityMetadata } from 'typeorm';

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

/** One {@link PermissionWatch}, checked against the DataSource. */
export interface ResolvedPermissionWatch {
  target: EntityMetadata['target'];
  name: string;
  columns: Set<string> | null;
  on: Set<PermissionWatchEvent>;
  userId: (row: any) => string | number | null | undefined;
  reason: string;
}

const WATCH_KEYS = new Set(['entity', 'columns', 'on', 'userId', 'reason']);
const EVENTS = new Set<PermissionWatchEvent>(['insert', 'update', 'remove']);

/**
 * Checks one `permissionChanges.watch` entry against the DataSource, pushing a problem naming
 * `path` for each mistake; `null` when the entry is unusable.
 *
 * @example resolveWatch({ entity: User, columns: ['roles'], userId: (u) => u.id }, 'permissionChanges.watch[0]', dataSource, problems);
 */
export function resolveWatch(
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

/**
 * The user id a watch reads from a row, as a string; `null` when it names nobody or cannot read
 * the row (a partial row of a QueryBuilder write).
 *
 * @example userIdOf(watch, { id: 42, roles: [] }); // '42'
 */
export function userIdOf(watch: ResolvedPermissionWatch, row: object): string | null {
  try {
    const id = watch.userId(row);
    return id === null || id === undefined || String(id) === '' ? null : String(id);
  } catch {
    return null;
  }
}
