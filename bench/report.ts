import { liveLines, type LiveResult } from './live.js';
import type { MemoryResult } from './memory.js';
import type { NotifyingJobResult, RevocationResults } from './revocation.js';
import type { VariantResult } from './throughput.js';

/** Everything one run measured; written to `bench/results.json`. */
export interface BenchResults {
  date: string;
  mode: 'full' | 'quick';
  /** Which parts ran (`--only=` narrows them). */
  parts: string[];
  durationSeconds: number;
  machine: { nproc: number; cpu: string; node: string; platform: string; loadavg: number[] };
  plan: {
    rounds: number;
    seconds: number;
    connections: number;
    memoryRequests: number;
    revocation: {
      sessions: number;
      sample: number;
      permissionSamples: number;
      notifiedSessions: number;
      perSessionSessions: number;
    };
    live: { samples: number; idleSockets: number };
  };
  throughput: VariantResult[];
  memory: MemoryResult[];
  policy: unknown;
  revocation: RevocationResults | null;
  live: LiveResult | null;
  targets: Array<{ target: string; measured: string; verdict: 'met' | 'not met' | 'not measured' }>;
}

/** (b) must beat (d) by at least this factor in req/s to count as "clearly ahead". */
export const CLEARLY_AHEAD = 1.1;
/** The memory target is stated for this many requests; fewer (quick mode) cannot judge it. */
export const MEMORY_TARGET_REQUESTS = 100_000;
/** The bulk revocation targets are stated for this many sessions. */
export const REVOCATION_TARGET_SESSIONS = 1_000_000;
/** The notifying job's target, end to end (rows revoked and notifications created). */
export const NOTIFYING_TARGET_ROWS_PER_SECOND = 20_000;

const times = (value: number) => `${value.toFixed(2)}×`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');

/** Throughput rows as a Markdown table, each variant beside its ratio to (a). */
export function throughputTable(rows: VariantResult[]): string[] {
  const lines = [
    '| variant | req/s | req/s vs (a) | p99 ms | p99 vs (a) | server CPU µs/req | CPU vs (a) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const name = `(${row.key}) ${row.label}`;
    if (!row.measured) {
      lines.push(`| ${name} | ${row.note} | | | | | |`);
      continue;
    }
    const cells = [
      name,
      int(row.requestsPerSecond),
      times(row.requestsPerSecondVsA),
      row.p99Ms,
      times(row.p99VsA),
      int(row.cpuUsPerRequest),
      times(row.cpuVsA),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Memory rows as a Markdown table: RSS at start and end, and how it moved, per variant. */
export function memoryTable(rows: MemoryResult[]): string[] {
  const lines = [
    '| variant | requests | RSS after start | RSS at end | RSS growth | RSS range after warm-up | RSS trend per 100k | heap used growth |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const start = row.samples[0].rssMb;
    const end = row.samples[row.samples.length - 1].rssMb;
    const [low, high] = row.rssAfterWarmupRangeMb;
    const cells = [
      `(${row.key}) ${row.label}`,
      int(row.requests),
      start,
      end,
      row.rssGrowthMb,
      `${low}–${high}`,
      row.rssTrendMbPer100k,
      row.heapUsedGrowthMb,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Policy results: a table when `runPolicyBench` returns `{ rows: [...] }`, JSON otherwise. */
export function policyLines(policy: unknown): string[] {
  if (policy === null || policy === undefined) return ['not available'];
  const { rows, ...rest } = policy as { rows?: unknown };
  if (!Array.isArray(rows) || rows.length === 0) return [JSON.stringify(policy, null, 2)];
  const columns = Object.keys(rows[0] as object);
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => String(row[c])).join(' | ')} |`),
    ...Object.entries(rest).map(([key, value]) => `${key}: ${JSON.stringify(value)}`),
  ];
}

/** Permission change and bulk revocation results as Markdown tables. */
export function revocationLines(revocation: RevocationResults | null): string[] {
  if (!revocation) return ['not measured in this run'];
  const { bulk, permissionChange: p } = revocation;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return [
    `Permission change, ${p.samples} samples (second instance polled back to back on one connection):`,
    '',
    '| measure | median | max |',
    '| --- | ---: | ---: |',
    `| \`permissionsChanged()\` call | ${ms(p.callMedianMs)} | ${ms(Math.max(...p.perSample.map((s) => s.callMs)))} |`,
    `| first refusal on the second instance, after the call returned | ${ms(p.firstRefusedMedianMs)} | ${ms(p.firstRefusedMaxMs)} |`,
    '',
    `Requests answered 200 that were sent after the call returned: ${p.servedAfterReturn}; ` +
      `refusals: ${p.codes.join(', ')}`,
    '',
    `Bulk revocation of ${int(bulk.sessions)} sessions (filter \`{ all: true }\`), PostgreSQL:`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| \`BulkRevocationService.start()\` call (counts the matches, writes the marker) | ${ms(bulk.serviceCallMs)} |`,
    `| of which the marker write (row + Redis epoch) | ${ms(bulk.markerWriteMs)} |`,
    `| ${bulk.refusal.sample} sampled sessions, one request each to the second instance, all sent by | ${ms(bulk.refusal.lastSentMs)} after \`start()\` returned |`,
    `| … refused: ${bulk.refusal.allRefused ? 'all' : '**not all**'}; first answer | ${ms(bulk.refusal.firstMs)} |`,
    `| … median answer | ${ms(bulk.refusal.medianMs)} |`,
    `| … last answer (each denial waits for its audit record) | ${ms(bulk.refusal.lastMs)} |`,
    `| rows covered by the marker the second instance reads | ${int(bulk.markerCovers.covered)} of ${int(bulk.markerCovers.total)} |`,
    `| job (BulkRevocationService + processor, batches of ${int(bulk.job.batchSize)}): duration | ${ms(bulk.job.ms)} |`,
    `| job: bookkeeping rows/s | ${int(bulk.job.rowsPerSecond)} |`,
    `| one plain \`UPDATE\` of the same rows: duration | ${ms(bulk.plainUpdate.ms)} |`,
    `| plain \`UPDATE\`: rows/s | ${int(bulk.plainUpdate.rowsPerSecond)} |`,
    `| job rows/s vs plain \`UPDATE\` | ${times(bulk.jobVsPlainUpdate)} |`,
    '',
    ...notifyingLines(revocation.notifying),
    ...(revocation.perSession ? ['', ...notifyingLines(revocation.perSession)] : []),
    '',
    `Refusals: ${bulk.refusal.codes.join(', ')}; rows generated in ${bulk.generateMs.map((m) => `${int(m)} ms`).join(' and ')}`,
  ];
}

/** One notifying job: end to end rows/s, then each channel's delivery throughput. */
function notifyingLines(job: NotifyingJobResult): string[] {
  const hook = job.webhook;
  return [
    `Bulk revocation with notifications on, one per ${job.notifyPer} (${int(job.sessions)} sessions, in-app and webhook channels):`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| job end to end (rows revoked and notifications created): duration | ${job.ms.toFixed(1)} ms |`,
    `| … rows/s | ${int(job.rowsPerSecond)} |`,
    `| notifications created | ${int(job.notifications)} |`,
    ...job.channels.map(
      (c) =>
        `| channel \`${c.channel}\`: ${int(c.delivered)} delivered, the last ${(c.ms / 1000).toFixed(1)} s after the worker was ready | ${int(c.perSecond)}/s |`,
    ),
    ...(hook
      ? [
          `| webhook: signed requests / events received / bad signatures | ${int(hook.requests)} / ${int(hook.events)} / ${int(hook.badSignatures)} |`,
        ]
      : []),
  ];
}

/** Verdicts against the issue's targets, computed from this run's numbers only. */
export function judgeTargets(
  rows: VariantResult[],
  memory: MemoryResult[],
  revocation: RevocationResults | null = null,
): BenchResults['targets'] {
  const measured = (key: VariantResult['key']) =>
    rows.find((r): r is Extract<VariantResult, { measured: true }> => r.key === key && r.measured);
  const [b, c, d] = (['b', 'c', 'd'] as const).map(measured);
  // From the table's own ratios, so the verdict reads off the printed numbers.
  const bVsD = b && d ? b.requestsPerSecondVsA / d.requestsPerSecondVsA : NaN;
  const verdict = (ok: boolean) => (ok ? 'met' : 'not met');
  const session = memory.find((m) => m.key === 'b');
  const memoryTarget = `(b) RSS growth < 20 MB over ${int(MEMORY_TARGET_REQUESTS)} requests`;
  return [
    !c
      ? {
          target: '(c) ≥ 0.85× (a) req/s',
          measured: 'not measured in this run',
          verdict: 'not measured',
        }
      : {
          target: '(c) ≥ 0.85× (a) req/s',
          measured: times(c.requestsPerSecondVsA),
          verdict: verdict(c.requestsPerSecondVsA >= 0.85),
        },
    {
      target: `(b) clearly ahead of (d): ≥ ${CLEARLY_AHEAD}× its req/s`,
      measured: b && d ? `${bVsD.toFixed(3)}× (b vs d)` : 'not measured in this run',
      verdict: b && d ? verdict(bVsD >= CLEARLY_AHEAD) : 'not measured',
    },
    !session || session.requests < MEMORY_TARGET_REQUESTS
      ? {
          target: memoryTarget,
          measured: session ? `${session.rssGrowthMb} MB over ${int(session.requests)}` : 'none',
          verdict: 'not measured',
        }
      : {
          target: memoryTarget,
          measured: `${session.rssGrowthMb} MB (trend after warm-up ${session.rssTrendMbPer100k} MB per 100k)`,
          verdict: verdict(session.rssGrowthMb < 20),
        },
    ...revocationTargets(revocation),
  ];
}

function revocationTargets(revocation: RevocationResults | null): BenchResults['targets'] {
  const refusedTarget = `${int(REVOCATION_TARGET_SESSIONS)} sessions refused within 100 ms of the API answering`;
  const bookkeepingTarget = 'bulk revocation bookkeeping ≥ the plain UPDATE in rows/s';
  const notifyingTarget = `${int(REVOCATION_TARGET_SESSIONS)}-session job with notifications on ≥ ${int(NOTIFYING_TARGET_ROWS_PER_SECOND)} rows/s end to end`;
  const permissionTarget = 'permission change: no request served after the call returned';
  if (!revocation) {
    return [refusedTarget, bookkeepingTarget, notifyingTarget, permissionTarget].map((target) => ({
      target,
      measured: 'not measured in this run',
      verdict: 'not measured' as const,
    }));
  }
  const { bulk, permissionChange, notifying } = revocation;
  const full = bulk.sessions >= REVOCATION_TARGET_SESSIONS;
  const notifyingFull = notifying.sessions >= REVOCATION_TARGET_SESSIONS;
  const size = full ? '' : ` (only ${int(bulk.sessions)} sessions in this run)`;
  // Effective by the time the last probe left: every sampled request sent after the answer was
  // refused, and the epoch every instance reads covers every row. Answer times are reported
  // beside it; they add the denial's serialised audit write, which is not the revocation's effect.
  const refused =
    bulk.refusal.allRefused &&
    bulk.refusal.lastSentMs <= 100 &&
    bulk.markerCovers.covered === bulk.markerCovers.total;
  return [
    {
      target: refusedTarget,
      measured:
        `${bulk.refusal.allRefused ? 'all' : 'NOT all'} ${bulk.refusal.sample} sampled sessions refused by requests sent ≤ ${bulk.refusal.lastSentMs} ms after ` +
        `(answers by ${bulk.refusal.lastMs} ms); ` +
        `marker covers ${int(bulk.markerCovers.covered)} of ${int(bulk.markerCovers.total)}${size}`,
      verdict: full ? (refused ? 'met' : 'not met') : 'not measured',
    },
    {
      target: bookkeepingTarget,
      measured: `${times(bulk.jobVsPlainUpdate)} (${int(bulk.job.rowsPerSecond)} vs ${int(bulk.plainUpdate.rowsPerSecond)} rows/s)${size}`,
      verdict: full ? (bulk.jobVsPlainUpdate >= 1 ? 'met' : 'not met') : 'not measured',
    },
    {
      target: notifyingTarget,
      measured:
        `${int(notifying.rowsPerSecond)} rows/s (${int(notifying.notifications)} notifications, one per ${notifying.notifyPer})` +
        (notifyingFull ? '' : ` (only ${int(notifying.sessions)} sessions in this run)`),
      verdict: notifyingFull
        ? notifying.rowsPerSecond >= NOTIFYING_TARGET_ROWS_PER_SECOND
          ? 'met'
          : 'not met'
        : 'not measured',
    },
    {
      target: permissionTarget,
      measured:
        `${permissionChange.servedAfterReturn} served; first refusal median ` +
        `${permissionChange.firstRefusedMedianMs} ms after the call returned`,
      verdict: permissionChange.servedAfterReturn === 0 ? 'met' : 'not met',
    },
  ];
}

/** The whole report as printed by `npm run bench`. */
export function formatReport(results: BenchResults): string {
  const { plan, machine } = results;
  return [
    `nestjs-session-security bench — ${results.mode} mode, ${results.date}`,
    `${machine.cpu}, ${machine.nproc} CPUs, Node ${machine.node}, ` +
      `load average before the run ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `Throughput of GET /bench/ping: median of ${plan.rounds} round(s) × ${plan.seconds} s, ` +
      `${plan.connections} connections, autocannon in a separate process, loopback`,
    '',
    ...throughputTable(results.throughput),
    '',
    'Memory of a fresh server per variant, in MB, at rest (full GC, RSS steady within 1 MB)',
    'after start and after every tenth of the requests (the first tenth is the warm-up):',
    '',
    ...memoryTable(results.memory),
    '',
    'Policy decision time (bench/policy.bench.ts):',
    '',
    ...policyLines(results.policy),
    '',
    ...revocationLines(results.revocation),
    '',
    ...liveLines(results.live),
    '',
    'Targets:',
    ...results.targets.map((t) => `  ${t.target}: ${t.measured} — ${t.verdict}`),
  ].join('\n');
}
