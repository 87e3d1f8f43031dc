import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { prepareEnvironment } from './environment.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { measurePolicy } from './policy.js';
import { formatReport, judgeTargets, MEMORY_TARGET_REQUESTS, type BenchResults } from './report.js';
import { measureThroughput, VARIANTS } from './throughput.js';

/**
 * `npm run bench [-- --quick]`: throughput and p99 of variants (a) (b) (d) side by side, memory
 * growth of each, and policy decision time when `bench/policy.bench.ts` provides it. Prints the
 * report and writes `bench/results.json`.
 */
const quick = process.argv.includes('--quick');
const plan = quick
  ? { rounds: 1, seconds: 2, warmupSeconds: 1, connections: 50, memoryRequests: 10_000 }
  : {
      rounds: 5,
      seconds: 5,
      warmupSeconds: 3,
      connections: 50,
      memoryRequests: MEMORY_TARGET_REQUESTS,
    };
const RESULTS = new URL('../../bench/results.json', import.meta.url);

const machine = {
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadavg: loadavg(),
};
const environment = await prepareEnvironment();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void environment.cleanup().finally(() => process.exit(130)));
}
try {
  console.log(`throughput: ${plan.rounds} round(s) of ${plan.seconds} s per variant`);
  const throughput = await measureThroughput(plan, environment.env);
  const memory: MemoryResult[] = [];
  for (const variant of VARIANTS.filter((v) => v.server)) {
    console.log(`memory (${variant.key}): ${plan.memoryRequests} requests`);
    const { connections, memoryRequests: requests } = plan;
    memory.push(await measureMemory(variant, { requests, connections, env: environment.env }));
  }
  const policy = await measurePolicy();
  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine,
    plan,
    throughput,
    memory,
    policy,
    targets: judgeTargets(throughput, memory),
  };
  console.log(`\n${formatReport(results)}`);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote bench/results.json`);
} finally {
  await environment.cleanup();
}
