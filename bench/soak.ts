import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateRedis } from '../test/support/private-redis.js';
import { settleJobs } from '../test/faults/jobs.js';
import { countTraffic } from '../test/faults/metrics.js';
import { Launcher } from '../test/faults/process-launcher.js';
import { PrivatePostgres } from '../test/faults/private-postgres.js';
import { AppStack, type InstanceName } from '../test/faults/stack.js';
import { prepareTemplate } from '../test/faults/template.js';
import { Traffic, type RequestRecord } from '../test/faults/traffic.js';

/** One minute of the soak: memory of each process at its end, latency of the requests in it. */
export interface SoakMinute {
  minute: number;
  requests: number;
  rssMb: Record<InstanceName | 'worker', number>;
  /** p50 and p99 of the guarded reads and writes by live sessions sent in that minute (ms). */
  p50Ms: number;
  p99Ms: number;
}

/** `npm run bench -- --soak`: two instances and a worker under steady mixed traffic. */
export interface SoakResult {
  minutes: number;
  requests: number;
  logins: number;
  endedSessions: number;
  endedProbes: number;
  jobs: number;
  /** Jobs completed with revoked == matched and one notification per revoked session. */
  jobsExact: number;
  /** 2xx answers to cookies of ended sessions (target 0). */
  stale: number;
  /** 5xx answers anywhere (target 0), and requests with no answer within 10 s (target 0). */
  serverErrors: number;
  hung: number;
  perMinute: SoakMinute[];
  /** RSS change per minute from the second minute to the last (least squares, MB/min). */
  rssSlopeMbPerMin: Record<InstanceName, number>;
}

const round = (value: number) => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process in MB, from `/proc/<pid>/status` (0 when it is gone). */
function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)];
}

/** Least-squares slope of `values` per step. */
function slope(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => ((num += (x - meanX) * (y - meanY)), (den += (x - meanX) ** 2)));
  return round(num / den);
}

/**
 * Runs the fault suite's stack (the compiled example app twice and a worker, on a PostgreSQL
 * cluster and a Redis of its own) under the fault suite's traffic for `minutes`, with no fault:
 * logins, guarded reads and writes by live sessions, and logouts, bulk revocations, demotions
 * and disables on one instance whose cookies are sent again to the other. Samples RSS and
 * latency every minute.
 */
export async function measureSoak(minutes: number): Promise<SoakResult> {
  const launcher = new Launcher();
  const workDir = mkdtempSync(join(tmpdir(), 'soak-'));
  let postgres: PrivatePostgres | null = null;
  let redis: PrivateRedis | null = null;
  const cleanUp = () => {
    launcher.killAll();
    const pid = redis?.pid;
    if (pid) process.kill(pid, 'SIGKILL');
    redis = null;
    postgres?.remove();
    postgres = null;
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  try {
    [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    const template = await prepareTemplate(launcher, postgres, redis, workDir);
    await postgres.query(`CREATE DATABASE soak TEMPLATE ${template}`);
    const stack = await AppStack.start({
      launcher,
      postgres,
      database: 'soak',
      redisUrl: redis.url,
      logDir: workDir,
    });
    const traffic = new Traffic(stack, { label: 'soak', endPauseMs: 400 });
    await traffic.start();
    const perMinute: SoakMinute[] = [];
    const started = performance.now();
    for (let minute = 1; minute <= minutes; minute++) {
      await sleep(started + minute * 60_000 - performance.now());
      const from = started + (minute - 1) * 60_000;
      const inMinute = traffic.records.filter((r) => r.sentAt >= from && r.sentAt < from + 60_000);
      perMinute.push(summarise(minute, inMinute, stack));
      const last = perMinute[perMinute.length - 1];
      console.log(
        `soak minute ${minute}/${minutes}: ${last.requests} requests, p99 ${last.p99Ms} ms, ` +
          `RSS A ${last.rssMb.A} MB, B ${last.rssMb.B} MB, worker ${last.rssMb.worker} MB`,
      );
    }
    await traffic.stop();
    const jobs = await settleJobs(
      stack,
      traffic.jobs.map((job) => job.jobId),
      60_000,
    );
    await stack.stop();
    const counts = countTraffic(traffic.records, traffic.ended.length, []);
    const trend = (name: InstanceName) => slope(perMinute.slice(1).map((m) => m.rssMb[name]));
    return {
      minutes,
      requests: counts.requests,
      logins: traffic.records.filter((r) => r.kind === 'login').length,
      endedSessions: counts.endedSessions,
      endedProbes: counts.endedProbes,
      jobs: traffic.jobs.length,
      jobsExact: jobs.filter((job) => job.exact).length,
      stale: counts.servedEnded,
      serverErrors:
        counts.serverErrorsOutside + counts.unavailableInside + counts.otherServerErrorsInside,
      hung: counts.hung,
      perMinute,
      rssSlopeMbPerMin: { A: trend('A'), B: trend('B') },
    };
  } finally {
    process.off('exit', cleanUp);
    cleanUp();
  }
}

function summarise(minute: number, records: RequestRecord[], stack: AppStack): SoakMinute {
  const latencies = records
    .filter((r) => (r.kind === 'live' || r.kind === 'write') && r.status >= 200 && r.status < 300)
    .map((r) => r.doneAt - r.sentAt)
    .sort((a, b) => a - b);
  return {
    minute,
    requests: records.length,
    rssMb: {
      A: rssMb(stack.instances.A.process?.pid),
      B: rssMb(stack.instances.B.process?.pid),
      worker: rssMb(stack.worker?.pid),
    },
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
  };
}

/** The soak as Markdown: the invariants, then one row per minute. */
export function soakLines(soak: SoakResult | null): string[] {
  if (!soak) return ['Soak: not run'];
  return [
    `Soak: ${soak.minutes} minutes, ${soak.requests.toLocaleString('en-US')} requests ` +
      `(${soak.logins.toLocaleString('en-US')} logins, ${soak.endedSessions} sessions ended and ` +
      `sent again ${soak.endedProbes.toLocaleString('en-US')} times, ${soak.jobs} bulk revocation jobs).`,
    '',
    '| measure | value | target |',
    '| --- | ---: | ---: |',
    `| answers 2xx for ended sessions | ${soak.stale} | 0 |`,
    `| 5xx answers | ${soak.serverErrors} | 0 |`,
    `| requests unanswered after 10 s | ${soak.hung} | 0 |`,
    `| bulk revocation jobs completed with exact counts | ${soak.jobsExact} of ${soak.jobs} | all |`,
    `| RSS trend, minute 2 → ${soak.minutes}, A / B | ${soak.rssSlopeMbPerMin.A} / ${soak.rssSlopeMbPerMin.B} MB/min | flat |`,
    '',
    '| minute | requests | p50 | p99 | RSS A | RSS B | RSS worker |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...soak.perMinute.map(
      (m) =>
        `| ${m.minute} | ${m.requests.toLocaleString('en-US')} | ${m.p50Ms} ms | ${m.p99Ms} ms | ` +
        `${m.rssMb.A} MB | ${m.rssMb.B} MB | ${m.rssMb.worker} MB |`,
    ),
  ];
}
