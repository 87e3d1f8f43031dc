import type { DataSource, EntityManager } from 'typeorm';

const SQLITE_FAMILY = new Set(['sqlite', 'better-sqlite3', 'sqljs', 'capacitor', 'expo']);
const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Whether the DataSource is SQLite-like: one shared connection, so transactions must take turns
 * and row locks do not exist (and are not needed).
 *
 * @example
 * if (!isSqliteFamily(manager.connection)) query.setLock('pessimistic_write');
 */
export function isSqliteFamily(dataSource: DataSource): boolean {
  return SQLITE_FAMILY.has(dataSource.options.type);
}

/**
 * `dataSource.transaction(work)`, except that on SQLite every transaction of the module in this
 * process (audit appends, notifications, revocation batches) runs after the previous one:
 * TypeORM's SQLite drivers share one connection, and two interleaved transactions on it corrupt
 * each other's savepoints (and roll back each other's statements). `work` must not start another
 * serial transaction itself.
 *
 * @example
 * await serialTransaction(dataSource, (manager) => manager.insert(SessionNotification, row));
 */
export function serialTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (!isSqliteFamily(dataSource)) return dataSource.transaction(work);
  const previous = tails.get(dataSource) ?? Promise.resolve();
  const result = previous.then(
    () => dataSource.transaction(work),
    () => dataSource.transaction(work),
  );
  tails.set(
    dataSource,
    result.catch(() => undefined),
  );
  return result;
}
