import { settleJobs } from './jobs.js';
import { countTraffic, type FaultWindow } from './metrics.js';
import type {
  Check,
  FaultServers,
  OwnRedis,
  Scenario,
  ScenarioContext,
  ScenarioResult,
} from './scenario.js';
import { AppStack } from './stack.js';
import { Traffic } from './traffic.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How long after a fault ends 503s are still part of its window (recovery allowance). */
export const DEFAULT_SETTLE_MS = 5_000;
/** How long the jobs of a scenario may take to finish once its traffic stopped. */
const JOBS_WITHIN_MS = 60_000;

/** The shared private Redis, answering and empty, for a scenario that brings none of its own. */
async function freshSharedRedis(servers: FaultServers): Promise<OwnRedis> {
  const { redis } = servers;
  redis.resume();
  if (redis.pid === null) await redis.start();
  await redis.answering();
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.flushall().finally(() => client.disconnect());
  return { redisUrl: redis.url, close: async () => redis.resume() };
}

/**
 * Runs one scenario on a database of its own (copied from the template): starts the stack and
 * the traffic, runs the scenario's script, stops the traffic, waits for the jobs, and counts.
 * Whatever happens, the stack's processes are stopped and the database dropped.
 */
export async function runScenario(
  scenario: Scenario,
  servers: FaultServers,
): Promise<ScenarioResult> {
  const started = performance.now();
  const database = `s_${scenario.name.replace(/\W/g, '_')}`;
  const windows: FaultWindow[] = [];
  const checks: Check[] = [];
  const jobIds: string[] = [];
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    dependsOn: scenario.dependsOn,
    durationSeconds: 0,
    windows: [],
    counts: null,
    jobs: [],
    checks,
    pass: false,
  };
  let own: OwnRedis | null = null;
  let stack: AppStack | null = null;
  let traffic: Traffic | null = null;
  try {
    await servers.postgres.query(`DROP DATABASE IF EXISTS ${database}`);
    await servers.postgres.query(`CREATE DATABASE ${database} TEMPLATE ${servers.template}`);
    own = scenario.ownRedis ? await scenario.ownRedis(servers) : await freshSharedRedis(servers);
    stack = await AppStack.start({
      launcher: servers.launcher,
      postgres: servers.postgres,
      database,
      redisUrl: own.redisUrl,
      logDir: servers.workDir,
      entry: own.entry,
      env: own.env,
    });
    traffic = new Traffic(stack, { label: scenario.name });
    await traffic.start();
    const context: ScenarioContext = {
      servers,
      stack,
      traffic,
      jobIds,
      sleep,
      check: (name, pass, detail) => checks.push({ name, pass, detail }),
      fault: async (label, act, settleMs = DEFAULT_SETTLE_MS) => {
        const start = performance.now();
        try {
          return await act();
        } finally {
          windows.push({ label, start, end: performance.now(), settleMs });
        }
      },
    };
    await scenario.run(context);
    await traffic.stop();
    result.jobs = await settleJobs(
      stack,
      [...traffic.jobs.map((j) => j.jobId), ...jobIds],
      JOBS_WITHIN_MS,
    );
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await traffic?.stop();
    if (traffic) result.counts = countTraffic(traffic.records, traffic.ended.length, windows);
    await stack?.stop();
    await own?.close().catch(() => undefined);
    await servers.postgres
      .query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      .catch(() => undefined);
  }
  result.windows = windows.map((w) => ({ label: w.label, ms: Math.round(w.end - w.start) }));
  result.durationSeconds = Math.round((performance.now() - started) / 1000);
  result.checks = [...invariants(result, windows.length > 0), ...checks];
  result.pass = !result.error && result.checks.every((check) => check.pass);
  return result;
}

/** The invariants every scenario is held to (on top of its own checks). */
function invariants(result: ScenarioResult, faulted: boolean): Check[] {
  const c = result.counts;
  if (!c) return [{ name: 'traffic ran', pass: false }];
  const exact = result.jobs.filter((job) => job.exact).length;
  const byKind = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ') || undefined;
  const inexact = result.jobs
    .filter((job) => !job.exact)
    .map(
      (job) =>
        `${job.jobId.slice(0, 8)}: ${job.state}, ${job.revoked} of ${job.matched} revoked, ${job.notified} notified`,
    );
  return [
    {
      name: 'sessions were ended and probed',
      pass: c.endedSessions > 0 && c.endedProbes > 0,
      detail: `${c.endedSessions} ended, ${c.endedProbes} probes`,
    },
    {
      name: 'no ended session served',
      pass: c.servedEnded === 0,
      detail: byKind(c.servedEndedByKind),
    },
    { name: 'no 5xx outside the fault window', pass: c.serverErrorsOutside === 0 },
    { name: 'no 5xx but 503 inside the fault window', pass: c.otherServerErrorsInside === 0 },
    {
      name: 'every request answered within 10 s',
      pass: c.hung === 0,
      detail: byKind(c.hungByKind),
    },
    {
      name: 'no refused connection outside the fault window',
      pass: c.connectionErrorsOutside === 0,
      detail: byKind(c.connectionErrorsByCode),
    },
    {
      name: 'jobs finished with exact counts',
      pass: exact === result.jobs.length && result.jobs.length > 0,
      detail: [`${exact}/${result.jobs.length}`, ...inexact].join('; '),
    },
    ...(faulted
      ? [{ name: 'a live session was served after the fault', pass: c.recoveryMs !== null }]
      : []),
  ];
}
