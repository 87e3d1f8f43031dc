import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';

/** A free loopback TCP port (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The line of a process's output that names its error, else its last line (for a message). */
function lastLines(output: string): string {
  const lines = output
    .split('\n')
    // eslint-disable-next-line no-control-regex
    .map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  const named = lines.find((line) => /error|can't|cannot|invalid|refused|required/i.test(line));
  return named ?? lines[lines.length - 1] ?? '(no output)';
}

/** How to start one child process and when it counts as ready. */
export interface LaunchSpec {
  /** Short name for logs and errors, e.g. `A`, `B`, `worker`. */
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** A line on stdout or stderr that means "ready" (e.g. `listening on`). */
  ready: RegExp;
  /** How long it may take to print `ready` (default 60 s). */
  readyWithinMs?: number;
  /** File that receives the process's stdout and stderr. */
  logFile: string;
}

/** One child process started by the {@link Launcher}: signals go to its pid. */
export class LaunchedProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT…) to the process. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited; resolves once it has. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last `lines` lines the process wrote (for a failure message). */
  tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * Starts child processes and remembers each pid, so that every one of them is killed when the
 * run ends, fails or is interrupted ({@link Launcher.killAll} is synchronous and safe in a
 * process `exit` handler).
 */
export class Launcher {
  private readonly processes = new Set<LaunchedProcess>();
  private readonly logs: WriteStream[] = [];

  /** Spawns the process and resolves once it printed its ready line; rejects if it exits first. */
  async launch(spec: LaunchSpec): Promise<LaunchedProcess> {
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    this.logs.push(log);
    const child = spawn(spec.command, spec.args, {
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const launched = new LaunchedProcess(spec.label, child, spec.logFile);
    this.processes.add(launched);
    void launched.exited.then(() => this.processes.delete(launched));
    await new Promise<void>((resolve, reject) => {
      let output = '';
      let ready = false;
      const timer = setTimeout(() => {
        launched.signal('SIGKILL');
        reject(new Error(`${spec.label} not ready within ${spec.readyWithinMs ?? 60_000} ms`));
      }, spec.readyWithinMs ?? 60_000);
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        if (ready) return;
        output = (output + chunk.toString()).slice(-4096);
        if (spec.ready.test(output)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      // 'close' comes once the output pipes are drained, so the error line is in `output`.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${spec.label} exited (${code ?? signal}) before ready: ${lastLines(output)}`),
        );
      });
    });
    return launched;
  }

  /** Stops every process still running (SIGTERM, then SIGKILL after the grace). */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(graceMs)));
  }

  /** Kills every process still running at once (SIGCONT first, so a stopped one dies too). */
  killAll(): void {
    for (const launched of this.processes) {
      launched.signal('SIGCONT');
      launched.signal('SIGKILL');
    }
    for (const log of this.logs) log.end();
  }
}
