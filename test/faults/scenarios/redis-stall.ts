import type { Scenario } from '../scenario.js';

/** Redis frozen (SIGSTOP) twice, 1.5 s and 3 s, while sessions are ended on either instance. */
export const redisStall: Scenario = {
  name: 'redis-stall',
  title: 'Redis stall (SIGSTOP 1.5 s, then 3 s)',
  async run({ servers, fault, sleep }) {
    const { redis } = servers;
    const freeze = (ms: number) => async () => {
      redis.pause();
      try {
        await sleep(ms);
      } finally {
        redis.resume();
      }
      await redis.answering();
    };
    await sleep(3_000);
    await fault('SIGSTOP 1.5 s', freeze(1_500));
    await sleep(3_000);
    await fault('SIGSTOP 3 s', freeze(3_000));
    await sleep(6_000);
  },
};
