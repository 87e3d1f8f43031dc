import type { ValueTransformer } from 'typeorm';

/**
 * Stores times as epoch milliseconds in a `bigint` column, so PostgreSQL and SQLite behave alike
 * and no time zone conversion ever happens in the driver.
 */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
