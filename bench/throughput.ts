import { expectStatus, load, median, signIn, type LoadResult } from './load.js';
import { ServerProcess } from './server-process.js';
import type { ServerVariant } from './server.js';

/** One column of the comparison; `server: null` marks a variant that cannot be measured yet. */
export interface Variant {
  key: 'a' | 'b' | 'c' | 'd';
  label: string;
  server: ServerVariant | null;
  signedIn: boolean;
}

export const VARIANTS: Variant[] = [
  { key: 'a', label: 'no session (same bootstrap, no module)', server: 'none', signedIn: false },
  { key: 'b', label: 'session guard (this module)', server: 'session', signedIn: true },
  {
    key: 'c',
    label: 'session + policy + fresh-auth',
    server: 'session-policy',
    signedIn: true,
  },
  { key: 'd', label: 'express-session + connect-redis', server: 'express-session', signedIn: true },
];

export interface ThroughputPlan {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

export type VariantResult =
  | { key: Variant['key']; label: string; measured: false; note: string }
  | {
      key: Variant['key'];
      label: string;
      measured: true;
      rounds: RoundResult[];
      requestsPerSecond: number;
      p99Ms: number;
      /** Median CPU time (user + system) the server process spent per request. */
      cpuUsPerRequest: number;
      /** Median over rounds of this round's req/s divided by (a)'s req/s in the same round. */
      requestsPerSecondVsA: number;
      /** Median over rounds of this round's p99 divided by (a)'s p99 in the same round. */
      p99VsA: number;
      cpuVsA: number;
    };

/** One variant's figures in one round, with the server's CPU time per request. */
export interface RoundResult extends LoadResult {
  cpuUsPerRequest: number;
}

/**
 * Starts one server process per measurable variant, proves each guard is in front of the route,
 * warms every server up, then runs the variants in alternating rounds (a, b, d, a, b, d, ...)
 * so drift on the machine hits them all alike. Reports medians over rounds, and ratios to (a)
 * paired by round (runs seconds apart), which drift on a shared machine disturbs least.
 */
export async function measureThroughput(
  plan: ThroughputPlan,
  env: NodeJS.ProcessEnv,
  only?: Set<string>,
): Promise<VariantResult[]> {
  const servers = new Map<Variant['key'], { server: ServerProcess; cookie?: string }>();
  try {
    for (const variant of VARIANTS) {
      if (!variant.server || (only && variant.key !== 'a' && !only.has(variant.key))) continue;
      const server = await ServerProcess.start(variant.server, env);
      servers.set(variant.key, { server });
      const ping = `${server.url}/bench/ping`;
      const cookie = variant.signedIn ? await signIn(server.url) : undefined;
      if (cookie) await expectStatus(ping, 401);
      await expectStatus(ping, 200, cookie);
      // (c): someone else's article is refused, so the policy condition really is evaluated.
      if (variant.key === 'c') await expectStatus(`${ping}?author=someone-else`, 403, cookie);
      servers.set(variant.key, { server, cookie });
    }
    const run = async (key: Variant['key'], seconds: number): Promise<RoundResult> => {
      const { server, cookie } = servers.get(key)!;
      const url = `${server.url}/bench/ping`;
      const before = await server.cpu();
      const result = await load({ url, cookie, seconds, connections: plan.connections });
      const { user, system } = await server.cpu();
      const cpu = user - before.user + (system - before.system);
      return { ...result, cpuUsPerRequest: cpu / result.requests };
    };
    for (const key of servers.keys()) await run(key, plan.warmupSeconds);
    const rounds = new Map<Variant['key'], RoundResult[]>();
    for (let round = 1; round <= plan.rounds; round++) {
      for (const key of servers.keys()) {
        const result = await run(key, plan.seconds);
        rounds.set(key, [...(rounds.get(key) ?? []), result]);
        console.log(
          `  round ${round} (${key}): ${Math.round(result.requestsPerSecond)} req/s, ` +
            `p99 ${result.p99Ms} ms, ${Math.round(result.cpuUsPerRequest)} µs CPU/req`,
        );
      }
    }
    const base = rounds.get('a')!;
    const pairedRatio = (measured: RoundResult[], pick: (r: RoundResult) => number) =>
      median(measured.map((r, round) => pick(r) / pick(base[round])));
    return VARIANTS.map((variant): VariantResult => {
      const measured = rounds.get(variant.key);
      if (!measured) {
        return {
          key: variant.key,
          label: variant.label,
          measured: false,
          note: 'not measured in this run',
        };
      }
      return {
        key: variant.key,
        label: variant.label,
        measured: true,
        rounds: measured,
        requestsPerSecond: median(measured.map((r) => r.requestsPerSecond)),
        p99Ms: median(measured.map((r) => r.p99Ms)),
        cpuUsPerRequest: median(measured.map((r) => r.cpuUsPerRequest)),
        requestsPerSecondVsA: pairedRatio(measured, (r) => r.requestsPerSecond),
        p99VsA: pairedRatio(measured, (r) => r.p99Ms),
        cpuVsA: pairedRatio(measured, (r) => r.cpuUsPerRequest),
      };
    });
  } finally {
    for (const { server } of servers.values()) await server.stop();
  }
}
