import { expectStatus, load, signIn } from './load.js';
import { ServerProcess } from './server-process.js';
import type { Variant } from './throughput.js';

export interface MemoryPlan {
  requests: number;
  connections: number;
  env: NodeJS.ProcessEnv;
}

/** RSS and heap (MB) of the server at rest (see `settledMemory`) at one point of the run. */
export interface MemorySample {
  requests: number;
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
}

export interface MemoryResult {
  key: Variant['key'];
  label: string;
  requests: number;
  /** RSS at the end minus RSS right after start: the figure the target is about. */
  rssGrowthMb: number;
  /** Lowest and highest RSS after the first tenth (JIT, pools, heap sizing have settled). */
  rssAfterWarmupRangeMb: [number, number];
  /** Least-squares slope of RSS after the first tenth, in MB per 100,000 requests: a leak shows. */
  rssTrendMbPer100k: number;
  heapUsedGrowthMb: number;
  samples: MemorySample[];
}

const SLICES = 10;
const round = (value: number) => Math.round(value * 10) / 10;
const mb = (bytes: number) => round(bytes / 2 ** 20);

/**
 * Memory of a fresh server of one variant over `requests` requests (signed in on one session
 * when the variant needs it), sampled right after start and after every tenth of the requests.
 */
export async function measureMemory(variant: Variant, plan: MemoryPlan): Promise<MemoryResult> {
  if (!variant.server) throw new Error(`variant ${variant.key} has no server`);
  const server = await ServerProcess.start(variant.server, plan.env);
  try {
    const samples = [await sample(server, 0)];
    const cookie = variant.signedIn ? await signIn(server.url) : undefined;
    const url = `${server.url}/bench/ping`;
    await expectStatus(url, 200, cookie);
    const amount = Math.ceil(plan.requests / SLICES);
    for (let slice = 1; slice <= SLICES; slice++) {
      await load({ url, cookie, connections: plan.connections, amount });
      samples.push(await sample(server, slice * amount));
    }
    const [start, end] = [samples[0], samples[samples.length - 1]];
    const settled = samples.slice(1).map((s) => s.rssMb);
    return {
      key: variant.key,
      label: variant.label,
      requests: end.requests,
      rssGrowthMb: round(end.rssMb - start.rssMb),
      rssAfterWarmupRangeMb: [Math.min(...settled), Math.max(...settled)],
      rssTrendMbPer100k: round(slope(samples.slice(1)) * 100_000),
      heapUsedGrowthMb: round(end.heapUsedMb - start.heapUsedMb),
      samples,
    };
  } finally {
    await server.stop();
  }
}

async function sample(server: ServerProcess, requests: number): Promise<MemorySample> {
  const usage = await server.settledMemory();
  return {
    requests,
    rssMb: mb(usage.rss),
    heapTotalMb: mb(usage.heapTotal),
    heapUsedMb: mb(usage.heapUsed),
  };
}

/** Least-squares slope of RSS (MB) over requests. */
function slope(samples: MemorySample[]): number {
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const x = mean(samples.map((s) => s.requests));
  const y = mean(samples.map((s) => s.rssMb));
  const covariance = samples.reduce((sum, s) => sum + (s.requests - x) * (s.rssMb - y), 0);
  const variance = samples.reduce((sum, s) => sum + (s.requests - x) ** 2, 0);
  return variance ? covariance / variance : 0;
}
