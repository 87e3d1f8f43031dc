import type { Scenario } from '../scenario.js';
import { bootWithoutRedis } from './boot-without-redis.js';
import { postgresRestart } from './postgres-restart.js';
import { redisDataLoss } from './redis-data-loss.js';
import { redisKill } from './redis-kill.js';
import { redisRestartEmpty } from './redis-restart-empty.js';
import { redisStall } from './redis-stall.js';
import { sentinelFailover } from './sentinel-failover.js';
import { workerKill } from './worker-kill.js';

/** Every scenario of `npm run test:faults`, in the order they run. */
export const SCENARIOS: Scenario[] = [
  redisStall,
  redisKill,
  redisRestartEmpty,
  sentinelFailover,
  bootWithoutRedis,
  workerKill,
  postgresRestart,
  redisDataLoss,
];
