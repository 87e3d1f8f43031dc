import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { settingsFromEnv, type BenchServer, type BenchSettings } from './bench-app.js';
import { startRevocationWorker } from './revocation-instance.js';
import { startExpressSession } from './variants/express-session.js';
import { startNoSession } from './variants/none.js';
import { startSession } from './variants/session.js';
import { startLive } from './variants/live.js';
import { startBareLive } from './variants/live-bare.js';

/**
 * One bench server in its own process: `node dist-bench/bench/server.js <variant>`, started by
 * the runner with an IPC channel. It reports `{ type: 'ready', port }`, answers `memory` with
 * `process.memoryUsage()` (after a GC when run with --expose-gc) and `cpu` with
 * `process.cpuUsage()`, and stops on `close`.
 */
export type ServerVariant =
  | 'none'
  | 'session'
  | 'session-policy'
  | 'express-session'
  | 'revocation-worker'
  | 'live'
  | 'live-bare';

const starters: Record<ServerVariant, (settings: BenchSettings) => Promise<BenchServer>> = {
  none: startNoSession,
  session: (settings) => startSession(settings, 'session'),
  'session-policy': (settings) => startSession(settings, 'session-policy'),
  'express-session': startExpressSession,
  'revocation-worker': startRevocationWorker,
  live: startLive,
  'live-bare': startBareLive,
};

const variant = process.argv[2] as ServerVariant;
if (!process.send || !(variant in starters)) {
  console.error(`usage: server.js <${Object.keys(starters).join('|')}> (started by bench/run.ts)`);
  process.exit(2);
}
const send = (message: object) => process.send?.(message);

const server = await starters[variant](settingsFromEnv());
await server.app.listen(0, '127.0.0.1');
const { port } = server.app.getHttpServer().address() as AddressInfo;

let closing: Promise<void> | null = null;
const close = () =>
  (closing ??= server.close().then(() => {
    if (process.connected) process.disconnect();
  }));

process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') {
    globalThis.gc?.();
    send({ type: 'memory', usage: process.memoryUsage() });
  } else if (message.type === 'cpu') {
    send({ type: 'cpu', usage: process.cpuUsage() });
  } else if (message.type === 'close') {
    void close();
  }
});
process.on('disconnect', () => void close());
send({ type: 'ready', port });
