import { isSqliteFamily, serialTransaction } from '../common/serial-transaction.js';

export { isSqliteFamily };

/**
 * The transaction of a notification write: {@link serialTransaction}, so that on SQLite it never
 * interleaves with another transaction of the module on the shared connection.
 *
 * @example
 * await notificationTransaction(dataSource, (manager) => manager.insert(SessionNotification, row));
 */
export const notificationTransaction = serialTransaction;
