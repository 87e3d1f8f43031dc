import type { PrivateRedis } from '../support/private-redis.js';
import type { JobOutcome } from './jobs.js';
import type { FaultWindow, TrafficCounts } from './metrics.js';
import type { Launcher } from './process-launcher.js';
import type { PrivatePostgres } from './private-postgres.js';
import type { AppStack, StackEntry } from './stack.js';
import type { Traffic } from './traffic.js';

/** The servers every scenario shares: its own PostgreSQL cluster and Redis, and the launcher. */
export interface FaultServers {
  launcher: Launcher;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  /** Temporary directory for logs and generated configs (removed at the end). */
  workDir: string;
  /** Database the scenarios' databases are copied from (migrated, seeded, users added). */
  template: string;
}

/** A Redis topology a scenario brings itself (e.g. Sentinel) instead of the shared server. */
export interface OwnRedis {
  redisUrl: string;
  entry?: StackEntry;
  env?: Record<string, string>;
  close(): Promise<void>;
}

/** What a scenario script may do and record while its traffic flows. */
export interface ScenarioContext {
  servers: FaultServers;
  stack: AppStack;
  traffic: Traffic;
  /** Runs `act` as a fault: the window spans from its start to its end (plus `settleMs`). */
  fault<T>(label: string, act: () => Promise<T>, settleMs?: number): Promise<T>;
  /** Records a named check of the scenario (shown in the report; a failing one fails the run). */
  check(name: string, pass: boolean, detail?: string): void;
  /** Bulk revocation jobs the scenario created itself, checked like the traffic's. */
  jobIds: string[];
  sleep(ms: number): Promise<void>;
}

/** One scripted fault: what it does while the traffic flows. */
export interface Scenario {
  name: string;
  /** One line: what the fault is, as the report's first column says it. */
  title: string;
  /** Which fix this scenario proves (for the report, e.g. `#16 item 2`). */
  dependsOn?: string;
  /** A Redis topology of its own (default: the shared private Redis, flushed). */
  ownRedis?(servers: FaultServers): Promise<OwnRedis>;
  run(context: ScenarioContext): Promise<void>;
}

/** A named pass/fail line of a scenario. */
export interface Check {
  name: string;
  pass: boolean;
  detail?: string;
}

/** Everything measured in one scenario. */
export interface ScenarioResult {
  name: string;
  title: string;
  dependsOn?: string;
  durationSeconds: number;
  windows: Array<{ label: string; ms: number }>;
  counts: TrafficCounts | null;
  jobs: JobOutcome[];
  checks: Check[];
  /** A scenario that could not run to its end (the error), besides the failed checks. */
  error?: string;
  pass: boolean;
}

/** Used by the runner to build the report; `windows` are the raw fault spans. */
export interface ScenarioRecorder {
  windows: FaultWindow[];
  checks: Check[];
}
