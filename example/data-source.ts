import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { sessionSecurityEntities, sessionSecurityMigrations } from '../src/index.js';
import { Article } from './articles/article.entity.js';
import type { ExampleConfig } from './config.js';
import { ExampleSchema1763800000100 } from './migrations/1763800000100-example-schema.js';
import { User } from './users/user.entity.js';

export const exampleEntities = [...sessionSecurityEntities, User, Article];
export const exampleMigrations = [...sessionSecurityMigrations, ExampleSchema1763800000100];

/**
 * PostgreSQL when `DATABASE_URL` is set, otherwise the embedded SQLite file under `./data/`.
 * `schema` isolates a PostgreSQL schema (tests use one per file).
 */
export function exampleDataSourceOptions(
  config: Pick<ExampleConfig, 'databaseUrl' | 'sqlitePath'>,
  schema?: string,
): DataSourceOptions {
  const common = { entities: exampleEntities, migrations: exampleMigrations, migrationsRun: false };
  if (config.databaseUrl) {
    return {
      type: 'postgres',
      url: config.databaseUrl,
      ...common,
      ...(schema ? { schema, extra: { options: `-c search_path=${schema}` } } : {}),
    };
  }
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return { type: 'better-sqlite3', database: config.sqlitePath, ...common };
}

/** Opens the database and brings its schema up to date. */
export async function openExampleDatabase(
  config: Pick<ExampleConfig, 'databaseUrl' | 'sqlitePath'>,
  schema?: string,
): Promise<DataSource> {
  const dataSource = new DataSource(exampleDataSourceOptions(config, schema));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
