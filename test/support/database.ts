import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { sessionSecurityEntities, sessionSecurityMigrations } from '../../src/index.js';

/** PostgreSQL used by the end-to-end suites (a fresh schema per test file). */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Redis used by the end-to-end suites (a fresh key prefix per test file). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A schema of its own for one test file; `drop()` removes it with everything in it. */
export async function createSchema(
  label: string,
): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `t_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await query(`CREATE SCHEMA "${name}"`);
  return { name, drop: async () => void (await query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)) };
}

/** Runs one statement on the test database with a short-lived connection. */
export async function query<T = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A migrated PostgreSQL DataSource with only the module's entities, on a schema of the test's
 * own: what a user's app passes to `SessionSecurityModule.forRoot`.
 *
 * @example const dataSource = await openModuleDatabase((await createSchema('mine')).name);
 */
export async function openModuleDatabase(schema: string): Promise<DataSource> {
  const dataSource = await new DataSource({
    type: 'postgres',
    url: TEST_DATABASE_URL,
    schema,
    extra: { options: `-c search_path=${schema}` },
    entities: sessionSecurityEntities,
    migrations: sessionSecurityMigrations,
  }).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
