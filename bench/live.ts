import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import WebSocket from 'ws';
import { SessionSecurityModule, SessionService } from '../src/index.js';
import { openBenchDataSource, settingsFromEnv, type BenchSettings } from './bench-app.js';
import { median } from './load.js';
import { ServerProcess } from './server-process.js';
import { connectSchema, insertSessions, tokenOf } from './session-rows.js';

export interface LivePlan {
  /** Revocations timed, one open socket each (≥ 50). */
  samples: number;
  /** Idle authenticated sockets held open on the second instance for the memory reading. */
  idleSockets: number;
}

/** Revocation on the runner's instance to socket close on the second instance, and memory. */
export interface LiveResult {
  samples: number;
  /**
   * `SessionService.revoke()` returned → the client saw the close (ms). Negative: the socket was
   * closed before the call returned (its event listeners, audit and notifications, run after the
   * signal is published).
   */
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** `revoke()` called → the client saw the close (ms). */
  fromCallMedianMs: number;
  fromCallP99Ms: number;
  /** Close codes and reasons seen (expected: `4401 session_revoked` only). */
  closes: string[];
  idleSockets: number;
  /** Growth of the second instance's RSS and used heap with the idle sockets, per 10,000. */
  rssMbPer10k: number;
  heapUsedMbPer10k: number;
  /** The same growth on a plain Nest `ws` gateway without the module (the reference). */
  bareRssMbPer10k: number;
  bareHeapUsedMbPer10k: number;
}

const OPEN_CONCURRENCY = 200;
const round = (value: number) => Math.round(value * 100) / 100;
const mb = (bytes: number) => bytes / 2 ** 20;
const ratio = (value: number, reference: number) =>
  reference > 0 ? `${(value / reference).toFixed(2)}×` : 'n/a';

function revokingRoot(settings: BenchSettings, dataSource: unknown) {
  @Module({
    imports: [
      SessionSecurityModule.forRoot({
        dataSource: dataSource as never,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: { idleTimeout: '30m', absoluteTimeout: '12h' },
        globalGuards: false,
        worker: false,
        bulkRevocation: false,
      }),
    ],
  })
  class LiveRevokingRoot {}
  return LiveRevokingRoot;
}

function open(url: string, token?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Cookie: `__Host-t=${token}` } : {};
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade ${res.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

/**
 * Starts the revoking instance in this process (the module, no HTTP) and a `live` server as the
 * second instance on the run's schema and Redis prefix; times `revoke()` → socket close, then
 * reads the second instance's memory with `idleSockets` idle authenticated sockets open.
 */
export async function measureLive(plan: LivePlan, env: NodeJS.ProcessEnv): Promise<LiveResult> {
  const settings = settingsFromEnv(env);
  const dataSource = await openBenchDataSource(settings);
  let app: INestApplicationContext | undefined;
  let server: ServerProcess | undefined;
  try {
    app = await NestFactory.createApplicationContext(revokingRoot(settings, dataSource), {
      logger: ['error', 'warn'],
    });
    server = await ServerProcess.start('live', env);
    const url = `${server.url.replace('http', 'ws')}/ws`;
    const sessions = app.get(SessionService);
    const latencies: number[] = [];
    const fromCall: number[] = [];
    const closes = new Set<string>();
    for (let i = 0; i < plan.samples; i++) {
      const issued = await sessions.create({ id: `live-${i}`, roles: ['editor'] });
      const socket = await open(url, issued.token);
      const closed = new Promise<number>((resolve) =>
        socket.once('close', (code, reason) => {
          closes.add(`${code} ${reason.toString()}`);
          resolve(performance.now());
        }),
      );
      const called = performance.now();
      await sessions.revoke(issued.session.id, 'bench');
      const returned = performance.now();
      const closedAt = await closed;
      latencies.push(closedAt - returned);
      fromCall.push(closedAt - called);
    }
    const sorted = [...latencies].sort((x, y) => x - y);
    const sortedFromCall = [...fromCall].sort((x, y) => x - y);

    const client = await connectSchema(env);
    const seed = `live-${settings.redisPrefix}`;
    await insertSessions(client, { count: plan.idleSockets, seed, now: Date.now() }).finally(() =>
      client.end(),
    );
    const guarded = await idleGrowth(server, plan.idleSockets, (i) => open(url, tokenOf(seed, i)));
    await server.stop();
    server = await ServerProcess.start('live-bare', env);
    const bareUrl = `${server.url.replace('http', 'ws')}/ws`;
    const bare = await idleGrowth(server, plan.idleSockets, () => open(bareUrl));
    const per10k = 10_000 / Math.max(1, plan.idleSockets);
    return {
      samples: latencies.length,
      medianMs: round(median(latencies)),
      p99Ms: round(sorted[Math.ceil(sorted.length * 0.99) - 1]),
      maxMs: round(sorted[sorted.length - 1]),
      fromCallMedianMs: round(median(fromCall)),
      fromCallP99Ms: round(sortedFromCall[Math.ceil(sortedFromCall.length * 0.99) - 1]),
      closes: [...closes],
      idleSockets: plan.idleSockets,
      rssMbPer10k: round(mb(guarded.rss) * per10k),
      heapUsedMbPer10k: round(mb(guarded.heapUsed) * per10k),
      bareRssMbPer10k: round(mb(bare.rss) * per10k),
      bareHeapUsedMbPer10k: round(mb(bare.heapUsed) * per10k),
    };
  } finally {
    await server?.stop();
    await app?.close();
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

/** How much a server's settled RSS and used heap grow while `count` sockets are open. */
async function idleGrowth(
  server: ServerProcess,
  count: number,
  openOne: (index: number) => Promise<WebSocket>,
): Promise<{ rss: number; heapUsed: number }> {
  const before = await server.settledMemory();
  const idle: WebSocket[] = [];
  for (let i = 0; i < count; i += OPEN_CONCURRENCY) {
    const size = Math.min(OPEN_CONCURRENCY, count - i);
    idle.push(...(await Promise.all(Array.from({ length: size }, (_, k) => openOne(i + k)))));
  }
  const after = await server.settledMemory();
  await Promise.all(
    idle.map((socket) => new Promise((resolve) => (socket.once('close', resolve), socket.close()))),
  );
  return { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed };
}

/** The live-connection results as Markdown lines. */
export function liveLines(live: LiveResult | null): string[] {
  if (!live) return ['Live connections: not measured in this run'];
  return [
    `Live connections (\`ws\` adapter): ${live.samples} sockets on a second instance, each ` +
      'closed by `SessionService.revoke()` on the runner’s instance (fan-out through Redis):',
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| revoke() returned → socket closed, median | ${live.medianMs} ms |`,
    `| … p99 | ${live.p99Ms} ms |`,
    `| … max | ${live.maxMs} ms |`,
    `| revoke() called → socket closed, median / p99 | ${live.fromCallMedianMs} / ${live.fromCallP99Ms} ms |`,
    `| close codes seen | ${live.closes.join(', ')} |`,
    `| RSS per 10,000 idle authenticated sockets (${live.idleSockets.toLocaleString('en-US')} open) | ${live.rssMbPer10k} MB |`,
    `| used heap per 10,000 idle authenticated sockets | ${live.heapUsedMbPer10k} MB |`,
    `| the same on a plain Nest \`ws\` gateway without the module: RSS / heap | ${live.bareRssMbPer10k} / ${live.bareHeapUsedMbPer10k} MB |`,
    `| RSS ratio, guarded vs plain | ${ratio(live.rssMbPer10k, live.bareRssMbPer10k)} |`,
    '',
    'A negative time: the socket was closed before the call returned.',
  ];
}

/** The live-connection target: p99 revocation → close on a second instance ≤ 100 ms. */
export function liveTarget(live: LiveResult | null) {
  const target = 'revocation → socket close on a second instance, p99 ≤ 100 ms (≥ 50 samples)';
  if (!live) return { target, measured: 'not measured', verdict: 'not measured' as const };
  const ok =
    live.samples >= 50 && live.p99Ms <= 100 && live.closes.every((c) => c.startsWith('4401'));
  return {
    target,
    measured: `p99 ${live.p99Ms} ms over ${live.samples} samples (median ${live.medianMs} ms)`,
    verdict: ok ? ('met' as const) : ('not met' as const),
  };
}
