/** DI token of the TypeORM DataSource the module uses (taken from `options.dataSource`). */
export const SESSION_SECURITY_DATA_SOURCE = Symbol('SESSION_SECURITY_DATA_SOURCE');
/** DI token of the validated options with every default filled in. */
export const RESOLVED_OPTIONS = Symbol('SESSION_SECURITY_RESOLVED_OPTIONS');
/** DI token of the shared ioredis client (`null` in single-instance mode). */
export const SESSION_SECURITY_REDIS = Symbol('SESSION_SECURITY_REDIS');
