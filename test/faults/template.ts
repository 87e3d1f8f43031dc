import type { PrivateRedis } from '../support/private-redis.js';
import type { Launcher } from './process-launcher.js';
import { freePort } from './process-launcher.js';
import type { PrivatePostgres } from './private-postgres.js';
import { EXAMPLE_ENTRY } from './stack.js';
import { INSERT_USERS_SQL } from './users.js';

/** Name of the database every scenario's database is copied from. */
const TEMPLATE = 'faults_template';

/**
 * Migrates and seeds the template database once (the example app started on it and stopped
 * again) and adds the suite's users, so each scenario starts from a copy in a moment.
 */
export async function prepareTemplate(
  launcher: Launcher,
  postgres: PrivatePostgres,
  redis: PrivateRedis,
  workDir: string,
): Promise<string> {
  await postgres.query(`CREATE DATABASE ${TEMPLATE}`);
  const app = await launcher.launch({
    label: 'template',
    command: process.execPath,
    args: EXAMPLE_ENTRY.app,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: postgres.url(TEMPLATE),
      REDIS_URL: redis.url,
      SESSION_SECRET: 'template-'.repeat(6),
      PORT: String(await freePort()),
    },
    ready: /listening on http/,
    logFile: `${workDir}/template.log`,
  });
  await app.stop();
  await postgres.query(INSERT_USERS_SQL, [], TEMPLATE);
  return TEMPLATE;
}
