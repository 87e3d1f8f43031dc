import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { send } from './http-client.js';
import { freePort, type LaunchedProcess, type Launcher } from './process-launcher.js';
import type { PrivatePostgres } from './private-postgres.js';

/** The app instances a stack runs; the traffic talks to both, the worker runs every job. */
export type InstanceName = 'A' | 'B';

const compiled = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** What an instance and the worker run: the compiled example app and CLI, or another entry. */
export interface StackEntry {
  app: string[];
  worker: string[];
}

/**
 * `node dist-faults/example/main.js` and `node dist-faults/src/cli/main.js --config
 * dist-faults/example/session-security.cli.js worker`, as `npm start` and `npm run worker` run them.
 */
export const EXAMPLE_ENTRY: StackEntry = {
  app: [compiled('../../example/main.js')],
  worker: [
    compiled('../../src/cli/main.js'),
    '--config',
    compiled('../../example/session-security.cli.js'),
    'worker',
  ],
};

/** Settings of one stack: its database and Redis, and what the processes run. */
export interface StackOptions {
  launcher: Launcher;
  postgres: PrivatePostgres;
  database: string;
  redisUrl: string;
  logDir: string;
  entry?: StackEntry;
  /** Extra environment for every process (e.g. the Sentinel addresses). */
  env?: Record<string, string>;
}

/** One running instance: its loopback port stays the same across restarts. */
export interface Instance {
  name: InstanceName;
  port: number;
  process: LaunchedProcess | null;
  /** False while the scenario has it stopped or restarting: the traffic leaves it alone. */
  up: boolean;
}

/**
 * Two instances of the example app (`SESSION_WORKER=false`) and one worker process on one
 * database and one Redis, each a process of its own so that SIGKILL and SIGSTOP are real.
 */
export class AppStack {
  readonly instances: Record<InstanceName, Instance>;
  worker: LaunchedProcess | null = null;
  private readonly secret = randomBytes(32).toString('base64url');
  private starts = 0;

  private constructor(
    private readonly options: StackOptions,
    ports: [number, number],
  ) {
    this.instances = {
      A: { name: 'A', port: ports[0], process: null, up: false },
      B: { name: 'B', port: ports[1], process: null, up: false },
    };
  }

  /**
   * Starts A, B and the worker together: the database is a copy of the migrated and seeded
   * template, so none of them has a migration to run.
   */
  static async start(options: StackOptions): Promise<AppStack> {
    const stack = new AppStack(options, [await freePort(), await freePort()]);
    try {
      await Promise.all([stack.startInstance('A'), stack.startInstance('B'), stack.startWorker()]);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The environment of every process of the stack (the example's documented knobs). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      DATABASE_URL: this.options.postgres.url(this.options.database),
      REDIS_URL: this.options.redisUrl,
      SESSION_SECRET: this.secret,
      SESSION_WORKER: 'false',
      FRESH_AUTH_MAX_AGE: '1h',
      LOGIN_MAX_ATTEMPTS: '1000',
      SESSION_REVOCATION_BATCH_SIZE: '50',
      SESSION_JOB_STALLED_AFTER: '2s',
      ...this.options.env,
      ...extra,
    };
  }

  get database(): string {
    return this.options.database;
  }

  /** Runs one statement on the stack's database. */
  sql<T = Record<string, unknown>>(statement: string, params: unknown[] = []): Promise<T[]> {
    return this.options.postgres.query<T>(statement, params, this.options.database);
  }

  /** Starts (or starts again) an instance on its port; resolves once it listens. */
  async startInstance(name: InstanceName, readyWithinMs = 60_000): Promise<void> {
    const instance = this.instances[name];
    const [script, ...args] = this.entry.app;
    instance.process = await this.options.launcher.launch({
      label: name,
      command: process.execPath,
      args: [script, ...args],
      env: this.env({ PORT: String(instance.port) }),
      ready: /listening on http/,
      readyWithinMs,
      logFile: `${this.options.logDir}/${this.options.database}-${name}-${++this.starts}.log`,
    });
    instance.up = true;
  }

  /** Stops an instance gracefully (SIGTERM); the traffic leaves it alone until it is started. */
  async stopInstance(name: InstanceName): Promise<void> {
    const instance = this.instances[name];
    instance.up = false;
    await instance.process?.stop();
    instance.process = null;
  }

  /** Starts a worker process (every queue) and resolves once it says it runs. */
  async startWorker(): Promise<LaunchedProcess> {
    const [script, ...args] = this.entry.worker;
    this.worker = await this.options.launcher.launch({
      label: 'worker',
      command: process.execPath,
      args: [script, ...args],
      env: this.env(),
      ready: /worker running/,
      logFile: `${this.options.logDir}/${this.options.database}-worker-${++this.starts}.log`,
    });
    return this.worker;
  }

  /** `GET /health` of an instance (status and body). */
  health(name: InstanceName) {
    return send(this.instances[name].port, 'GET', '/health', { timeoutMs: 5_000 });
  }

  /** Stops the instances and the worker (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    for (const instance of Object.values(this.instances)) instance.up = false;
    await Promise.all([
      this.instances.A.process?.stop(),
      this.instances.B.process?.stop(),
      this.worker?.stop(),
    ]);
  }

  private get entry(): StackEntry {
    return this.options.entry ?? EXAMPLE_ENTRY;
  }
}
