import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import {
  cliModuleOf,
  type SessionSecurityCliConfig,
  type SessionSecurityCliMode,
} from './define-cli.js';
import { CliExit, EXIT } from './cli-io.js';

/**
 * Builds the app's module (from its CLI config) as a Nest application context, without HTTP:
 * the app's DataSource, Redis, channels and policy, nothing of the CLI's own. It never migrates,
 * seeds or creates secrets: a module that cannot start (a missing setting, an unreachable
 * database) or a database with pending migrations is a {@link CliExit} with {@link EXIT.config}
 * and the app's own message. Close it with `close()`.
 *
 * The process role (`cli` or `worker`) must be set before the config file was imported.
 *
 * @example
 * const context = await createCliContext(config, 'command');
 * const status = await context.get(BulkRevocationService).status(jobId);
 * await context.close();
 */
export async function createCliContext(
  config: SessionSecurityCliConfig,
  mode: SessionSecurityCliMode,
): Promise<INestApplicationContext> {
  let context: INestApplicationContext | null = null;
  try {
    await config.before?.(mode);
    const root = await cliModuleOf(config, mode);
    context = await NestFactory.createApplicationContext(root, {
      logger: config.logger ?? ['error', 'warn'],
      abortOnError: false,
    });
    await context.init();
  } catch (error) {
    await context?.close().catch(() => undefined);
    throw new CliExit(EXIT.config, `the app did not start: ${(error as Error)?.message ?? error}`);
  }
  const pending = await pendingMigrations(context).catch(() => []);
  if (pending.length > 0) {
    await context.close();
    throw new CliExit(
      EXIT.config,
      `the app's database has pending migrations (${pending.join(', ')}); run them first, the CLI never migrates`,
    );
  }
  return context;
}

/** Names of the DataSource's migrations its database has not run, read without writing. */
async function pendingMigrations(context: INestApplicationContext): Promise<string[]> {
  const dataSource = context.get<DataSource>(SESSION_SECURITY_DATA_SOURCE, { strict: false });
  if (!dataSource?.isInitialized || dataSource.migrations.length === 0) return [];
  const names = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const schema = (dataSource.options as { schema?: string }).schema;
  const runner = dataSource.createQueryRunner();
  try {
    const path = schema ? `${schema}.${table}` : table;
    if (!(await runner.hasTable(path))) return names;
    const quoted = path
      .split('.')
      .map((part) => dataSource.driver.escape(part))
      .join('.');
    const rows = (await runner.query(`SELECT name FROM ${quoted}`)) as Array<{ name: string }>;
    const done = new Set(rows.map((row) => row.name));
    return names.filter((name) => !done.has(name));
  } finally {
    await runner.release();
  }
}
