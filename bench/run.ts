import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { prepareEnvironment } from './environment.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { measurePolicy } from './policy.js';
import { formatReport, judgeTargets, MEMORY_TARGET_REQUESTS, type BenchResults } from './report.js';
import { measureRevocation, type RevocationResults } from './revocation.js';
import { ServerProcess } from './server-process.js';
import { measureThroughput, VARIANTS, type VariantResult } from './throughput.js';
import { liveTarget, measureLive, type LiveResult } from './live.js';
import { measureSoak, soakLines, type SoakResult } from './soak.js';

/**
 * `npm run bench [-- --quick] [-- --only=throughput,memory,policy,revocation,live]
 * [-- --notified-sessions=N --per-session-sessions=N]`: throughput
 * and p99 of variants (a)–(d) side by side, memory growth, policy decision time, permission change
 * and bulk revocation timings, and revocation → WebSocket close on a second instance. Prints the report and writes `bench/results.json`.
 *
 * `npm run bench -- --soak [--soak-minutes=N]` (or `BENCH_SOAK_MINUTES=N`, default 10) runs only
 * the soak (bench/soak.ts) on a PostgreSQL and a Redis of its own and stores it under `soak` in
 * `bench/results.json`, keeping the other parts of the last run.
 */
const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const parts = new Set(
  only ? only.split(',') : ['throughput', 'memory', 'policy', 'revocation', 'live'],
);
const plan = quick
  ? {
      rounds: 1,
      seconds: 2,
      warmupSeconds: 1,
      connections: 50,
      memoryRequests: 10_000,
      revocation: {
        sessions: 100_000,
        sample: 100,
        permissionSamples: 5,
        notifiedSessions: 100_000,
        perSessionSessions: 10_000,
      },
      live: { samples: 50, idleSockets: 2_000 },
    }
  : {
      rounds: 5,
      seconds: 5,
      warmupSeconds: 3,
      connections: 50,
      memoryRequests: MEMORY_TARGET_REQUESTS,
      revocation: {
        sessions: 1_000_000,
        sample: 200,
        permissionSamples: 9,
        notifiedSessions: 1_000_000,
        perSessionSessions: 100_000,
      },
      live: { samples: 100, idleSockets: 10_000 },
    };
// --rounds=N overrides the number of throughput rounds (to compare two builds more steadily).
const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice(9));
if (Number.isInteger(rounds) && rounds > 0) plan.rounds = rounds;
// --notified-sessions=N and --per-session-sessions=N (0 skips it) size the notifying jobs.
for (const [flag, key] of [
  ['--notified-sessions=', 'notifiedSessions'],
  ['--per-session-sessions=', 'perSessionSessions'],
] as const) {
  const value = process.argv.find((arg) => arg.startsWith(flag))?.slice(flag.length);
  if (value === undefined) continue;
  const count = Number(value);
  if (!Number.isInteger(count) || count < (key === 'notifiedSessions' ? 1 : 0)) {
    console.error(`${flag.slice(0, -1)}: a whole number of sessions, got '${value}'`);
    process.exit(2);
  }
  plan.revocation[key] = count;
}
// --variants=b,d measures only those beside (a).
const variantList = process.argv.find((arg) => arg.startsWith('--variants='))?.slice(11);
const variants = variantList ? new Set(variantList.split(',')) : undefined;
const RESULTS = new URL('../../bench/results.json', import.meta.url);

if (process.argv.includes('--soak')) {
  const value = process.argv.find((arg) => arg.startsWith('--soak-minutes='))?.slice(15);
  const minutes = Number(value ?? process.env.BENCH_SOAK_MINUTES ?? 10);
  if (!Number.isInteger(minutes) || minutes < 1) {
    console.error(
      `--soak-minutes / BENCH_SOAK_MINUTES: a whole number of minutes ≥ 1, got '${value}'`,
    );
    process.exit(2);
  }
  console.log(`soak: ${minutes} minute(s) of mixed traffic on two instances and a worker`);
  const startedAt = new Date().toISOString();
  const soak: SoakResult & { date?: string; loadavg?: number[] } = await measureSoak(minutes);
  soak.date = startedAt;
  soak.loadavg = loadavg();
  console.log(`\n${soakLines(soak).join('\n')}`);
  const previous = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  writeFileSync(RESULTS, `${JSON.stringify({ ...previous, soak }, null, 2)}\n`);
  console.log('\nwrote the soak into bench/results.json');
  const clean =
    soak.stale === 0 && soak.serverErrors === 0 && soak.hung === 0 && soak.jobsExact === soak.jobs;
  process.exit(clean ? 0 : 1);
}

const machine = {
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadavg: loadavg(),
};
const environment = await prepareEnvironment();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Servers first, so none writes into the schema or the keys while they are being removed.
    void ServerProcess.stopAll()
      .then(() => environment.cleanup())
      .finally(() => process.exit(130));
  });
}
try {
  const startedAt = performance.now();
  let throughput: VariantResult[] = [];
  if (parts.has('throughput')) {
    console.log(`throughput: ${plan.rounds} round(s) of ${plan.seconds} s per variant`);
    throughput = await measureThroughput(plan, environment.env, variants);
  }
  const memory: MemoryResult[] = [];
  // Memory of (a), (b) and (d): the target is about (b); (c) runs the same module.
  const memoryVariants = VARIANTS.filter((v) => v.server && v.key !== 'c' && parts.has('memory'));
  for (const variant of memoryVariants) {
    console.log(`memory (${variant.key}): ${plan.memoryRequests} requests`);
    const { connections, memoryRequests: requests } = plan;
    memory.push(await measureMemory(variant, { requests, connections, env: environment.env }));
  }
  const policy = parts.has('policy') ? await measurePolicy() : null;
  const revocation: RevocationResults | null = parts.has('revocation')
    ? await measureRevocation(plan.revocation, environment.env)
    : null;
  const live: LiveResult | null = parts.has('live')
    ? await measureLive(plan.live, environment.env)
    : null;
  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    parts: [...parts],
    durationSeconds: Math.round((performance.now() - startedAt) / 1000),
    machine,
    plan,
    throughput,
    memory,
    policy,
    revocation,
    live,
    targets: [...judgeTargets(throughput, memory, revocation), liveTarget(live)],
  };
  console.log(`\n${formatReport(results)}`);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote bench/results.json`);
} finally {
  await environment.cleanup();
}
