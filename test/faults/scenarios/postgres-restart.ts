import type { Scenario } from '../scenario.js';

/** The database restarted (`pg_ctl restart -m fast`: every connection cut) under load. */
export const postgresRestart: Scenario = {
  name: 'postgres-restart',
  title: 'PostgreSQL restarted (fast)',
  async run({ servers, fault, sleep }) {
    await sleep(3_000);
    await fault('PostgreSQL restart', () => servers.postgres.restart());
    await sleep(7_000);
  },
};
