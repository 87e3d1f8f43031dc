import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { defineSessionSecurityCli } from '../src/cli/index.js';
import { ExampleAppModule } from './app.module.js';
import { existingExampleSecret, exampleSecretFile, readConfig } from './config.js';
import { exampleDataSourceOptions } from './data-source.js';

/**
 * The example app's CLI config — the worked example of `defineSessionSecurityCli`. Run it with
 * `npm run cli -- <command>` / `npm run worker`, or
 * `session-security --config dist/example/session-security.cli.js <command>`.
 *
 * It builds the same module as `npm start` from the same environment, with three differences an
 * operations process needs: the database is opened but never migrated or seeded, a missing
 * secret is an error (never a new `./data/.session-secret`), and Redis is used only when
 * `REDIS_URL` is set — never a default address.
 */
export default defineSessionSecurityCli({
  module: async () => {
    const config = readConfig(process.env);
    const secret = existingExampleSecret(config);
    if (!secret) {
      throw new Error(
        `SESSION_SECRET is not set and ${exampleSecretFile(config)} does not exist: set SESSION_SECRET to the app's secret`,
      );
    }
    if (!config.databaseUrl && !existsSync(config.sqlitePath)) {
      throw new Error(
        `DATABASE_URL is not set and there is no database at ${config.sqlitePath} (SQLITE_PATH): start the app once or point DATABASE_URL at its database`,
      );
    }
    const dataSource = new DataSource(
      exampleDataSourceOptions(config, process.env.DATABASE_SCHEMA || undefined),
    );
    await dataSource.initialize();
    return ExampleAppModule.register({
      config: { ...config, secret },
      dataSource,
      // Only a REDIS_URL that is set (`off` included, as the app reads it); never the default.
      redis: process.env.REDIS_URL ? (config.redisUrl ?? false) : false,
      redisKeyPrefix: process.env.REDIS_KEY_PREFIX || undefined,
    });
  },
});
