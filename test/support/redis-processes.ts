import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

/** Runs a command and resolves with its stdout (rejects with its stderr on failure). */
export const run = promisify(execFile);

/**
 * `redis-server` processes of one test and the temp dir they write in, ended by pid and removed
 * together.
 */
export class RedisProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly byPort = new Map<number, ChildProcess>();

  private constructor(readonly dir: string) {}

  static async create(label: string): Promise<RedisProcesses> {
    return new RedisProcesses(await mkdtemp(join(tmpdir(), `ss-${label}-`)));
  }

  /** Starts `redis-server` with `args` and resolves once it answers PING on `port`. */
  async start(port: number, args: string[]): Promise<ChildProcess> {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.children.push(child);
    this.byPort.set(port, child);
    await waitFor(`redis on ${port}`, async () => (await command(port, 'PING')) === 'PONG');
    return child;
  }

  /** Sends `signal` to the process listening on `port` (e.g. SIGSTOP to freeze it). */
  signal(port: number, signal: NodeJS.Signals): void {
    this.byPort.get(port)?.kill(signal);
  }

  /** Ends every process (SIGKILL by pid) and removes the temp dir. */
  async stop(): Promise<void> {
    this.byPort.clear();
    await Promise.all(this.children.splice(0).map(kill));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Sends one command to the server on `port` with a short-lived connection. */
export async function command(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

/** Polls `check` every 100 ms until it is true (errors count as false); throws after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
}
