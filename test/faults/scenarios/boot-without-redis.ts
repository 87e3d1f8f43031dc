import type { Answer } from '../http-client.js';
import type { Scenario } from '../scenario.js';

const describe = (answer: Answer) => `GET /health ${answer.status} ${JSON.stringify(answer.body)}`;

/**
 * Instance B restarted while Redis is down: it must come up, say it is degraded (not 200 in
 * single-instance mode), and once Redis answers again switch to shared mode — sessions ended on
 * A must be refused on B before and after Redis returns.
 */
export const bootWithoutRedis: Scenario = {
  name: 'boot-without-redis',
  title: 'Instance booted while Redis is down',
  dependsOn: '#16 item 2 (no permanent degraded mode)',
  async run({ servers, stack, fault, check, sleep }) {
    await sleep(3_000);
    await fault('Redis down, B restarted', async () => {
      await servers.redis.stop();
      await stack.stopInstance('B');
      const booting = performance.now();
      try {
        await stack.startInstance('B', 30_000);
        check(
          'B listens within 30 s without Redis',
          true,
          `${Math.round(performance.now() - booting)} ms`,
        );
      } catch (error) {
        check(
          'B listens within 30 s without Redis',
          false,
          (error as Error).message.split('\n')[0],
        );
      }
      const health = await stack.health('B');
      const degraded =
        health.status === 503 || (health.body?.status === 'degraded' && health.status !== 200);
      check('B reports degraded while Redis is down', degraded, describe(health));
      await sleep(4_000);
      await servers.redis.start();
    });
    let health = await stack.health('B');
    const deadline = performance.now() + 15_000;
    while (health.status !== 200 && performance.now() < deadline) {
      await sleep(250);
      health = await stack.health('B');
    }
    const shared = health.status === 200 && health.body?.redis !== 'disabled';
    check('B healthy in shared mode within 15 s of Redis answering', shared, describe(health));
    await sleep(8_000);
  },
};
