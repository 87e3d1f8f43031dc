import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerVariant } from './server.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
const EXIT_GRACE_MS = 10_000;

/** The runner's handle on one bench server running in a child process. */
export class ServerProcess {
  private static readonly running = new Set<ServerProcess>();

  /** Stops every server still running (on Ctrl-C, before the run's schema and keys go). */
  static async stopAll(): Promise<void> {
    await Promise.all([...ServerProcess.running].map((server) => server.stop()));
  }

  private constructor(
    private readonly child: ChildProcess,
    readonly variant: ServerVariant,
    readonly url: string,
  ) {}

  /** Forks `server.js <variant>` and waits until it listens. */
  static async start(variant: ServerVariant, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
    // BENCH_CPU_PROF=<variant>[,<variant>]: that server writes a V8 CPU profile into ./profiles.
    const profiled = (process.env.BENCH_CPU_PROF ?? '').split(',').includes(variant);
    const execArgv = [
      '--expose-gc',
      ...(profiled ? ['--cpu-prof', '--cpu-prof-dir=profiles'] : []),
    ];
    const child = fork(SERVER, [variant], { env, execArgv, stdio: 'inherit' });
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`${variant} server exited (${code})`)));
    });
    const server = new ServerProcess(child, variant, `http://127.0.0.1:${port}`);
    ServerProcess.running.add(server);
    child.once('exit', () => ServerProcess.running.delete(server));
    return server;
  }

  /**
   * Memory of the server at rest: right after a load stops, RSS still holds pages that V8 and the
   * allocator give back within a few seconds, so it is read after a full GC every 250 ms until
   * four readings in a row agree within 1 MB (at most 10 s).
   */
  async settledMemory(): Promise<NodeJS.MemoryUsage> {
    const readings = [await this.memory()];
    while (readings.length < 40) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      readings.push(await this.memory());
      const rss = readings.slice(-4).map((r) => r.rss);
      if (rss.length === 4 && Math.max(...rss) - Math.min(...rss) < 2 ** 20) break;
    }
    return readings[readings.length - 1];
  }

  /** Memory of the server process, read right after a full GC. */
  memory(): Promise<NodeJS.MemoryUsage> {
    return this.ask('memory');
  }

  /** CPU time the server process has used so far (user and system, µs). */
  cpu(): Promise<NodeJS.CpuUsage> {
    return this.ask('cpu');
  }

  private ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const listener = (message: { type: string; usage: T }) => {
        if (message.type !== type) return;
        this.child.off('message', listener);
        resolve(message.usage);
      };
      this.child.on('message', listener);
      this.child.send({ type });
    });
  }

  /**
   * Asks the server to close its app and connections and waits for the process to end on its
   * own; a server that hangs (a leaked handle) is killed and reported.
   */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'close' });
    const timer = setTimeout(() => {
      console.warn(`${this.variant} server did not exit ${EXIT_GRACE_MS} ms after close: killed`);
      this.child.kill('SIGKILL');
    }, EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}
