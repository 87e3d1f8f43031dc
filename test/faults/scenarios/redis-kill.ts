import type { Scenario } from '../scenario.js';

/** Redis SIGKILLed under load and back (empty) 5 s later. */
export const redisKill: Scenario = {
  name: 'redis-kill',
  title: 'Redis killed (SIGKILL), down 5 s',
  async run({ servers, fault, sleep }) {
    await sleep(3_000);
    await fault('Redis down', async () => {
      await servers.redis.stop();
      await sleep(5_000);
      await servers.redis.start();
    });
    await sleep(6_000);
  },
};
