import { fileURLToPath } from 'node:url';
import type { Scenario } from '../scenario.js';
import { SENTINEL_MASTER, SentinelSet } from '../sentinel-set.js';

const ENTRY = fileURLToPath(new URL('../sentinel-app.js', import.meta.url));
let set: SentinelSet | null = null;

/**
 * Redis behind Sentinel (1 master, 1 replica, 3 sentinels) and a forced failover during the
 * traffic: the instances and the worker follow the new master; no ended session is served and
 * the jobs finish. The app is configured with `redis: { sentinels: [{ host, port }], name }`.
 */
export const sentinelFailover: Scenario = {
  name: 'sentinel-failover',
  title: 'Sentinel failover (forced)',
  dependsOn: '#16 item 4 (Redis Sentinel support)',
  async ownRedis(servers) {
    set = await SentinelSet.start(servers.launcher, servers.workDir);
    const current = set;
    return {
      redisUrl: `redis://127.0.0.1:${current.masterPort}`,
      entry: { app: [ENTRY], worker: [ENTRY, 'worker'] },
      env: { FAULTS_SENTINELS: current.addresses, FAULTS_SENTINEL_NAME: SENTINEL_MASTER },
      close: async () => {
        await current.stop();
        set = null;
      },
    };
  },
  async run({ fault, check, sleep }) {
    if (!set) throw new Error('no Sentinel set');
    const sentinels = set;
    await sleep(3_000);
    const before = await sentinels.currentMaster();
    const after = await fault('failover', () => sentinels.failover());
    check('the replica became master', after !== before, `master :${before} → :${after}`);
    await sleep(7_000);
  },
};
