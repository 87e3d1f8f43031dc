import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import {
  HttpErrorFilter,
  sessionSecurityEntities,
  sessionSecurityMigrations,
} from '../src/index.js';

/** Where a bench server keeps its state; the runner creates and removes all of it. */
export interface BenchSettings {
  databaseUrl: string;
  redisUrl: string;
  /** PostgreSQL schema of this run only. */
  schema: string;
  /** Prefix of every Redis key this run writes. */
  redisPrefix: string;
  secret: string;
}

/** A running variant and how to stop it, releasing every connection it opened. */
export interface BenchServer {
  app: NestExpressApplication;
  close(): Promise<void>;
}

/**
 * Creates the app the way `example/create-app.ts` does (helmet, JSON-only bodies, the module's
 * error shape), so every variant differs only in what guards the route. `beforeRoutes` installs
 * middleware that must run before the router (express-session).
 */
export async function createBenchApp(
  module: Type | DynamicModule,
  beforeRoutes?: (app: NestExpressApplication) => void,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: ['error', 'warn'],
    bodyParser: false,
  });
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  app.use(helmet());
  app.useBodyParser('json', { limit: '16kb' });
  beforeRoutes?.(app);
  app.useGlobalFilters(new HttpErrorFilter());
  return app;
}

/** Reads the settings the runner passes to a server process. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} must be set (the bench runner sets it)`);
    return value;
  };
  return {
    databaseUrl: need('BENCH_DATABASE_URL'),
    redisUrl: need('BENCH_REDIS_URL'),
    schema: need('BENCH_SCHEMA'),
    redisPrefix: need('BENCH_REDIS_PREFIX'),
    secret: need('BENCH_SECRET'),
  };
}

/** The module's tables in the run's own schema, migrated. */
export async function openBenchDataSource(settings: BenchSettings): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: settings.databaseUrl,
    schema: settings.schema,
    extra: { options: `-c search_path=${settings.schema}` },
    entities: sessionSecurityEntities,
    migrations: sessionSecurityMigrations,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
