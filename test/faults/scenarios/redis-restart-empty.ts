import type { Scenario } from '../scenario.js';

/**
 * Redis restarted at once with no data: every marker, epoch and tombstone in it is gone, so the
 * sessions ended before the restart are refused only through the database.
 */
export const redisRestartEmpty: Scenario = {
  name: 'redis-restart-empty',
  title: 'Redis restarted empty',
  async run({ servers, traffic, fault, check, sleep }) {
    await sleep(4_000);
    const before = traffic.ended.length;
    await fault('Redis restart', async () => {
      await servers.redis.stop();
      await servers.redis.start();
    });
    check('sessions were ended before the restart', before > 0, `${before} ended before`);
    await sleep(7_000);
  },
};
