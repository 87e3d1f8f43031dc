/**
 * Column shapes the migrations share: portable types only, so each table is the same on
 * PostgreSQL and SQLite. Changing one changes no table already created (migrations run once);
 * a new shape gets a new helper.
 *
 * @example new Table({ name: 'ss_x', columns: [{ ...text('id', 36), isPrimary: true }, big('at')] })
 */
export const text = (name: string, length: number, nullable = false) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

/** A `bigint` column (epoch milliseconds, counters). */
export const big = (name: string, nullable = false) => ({
  name,
  type: 'bigint',
  isNullable: nullable,
});
