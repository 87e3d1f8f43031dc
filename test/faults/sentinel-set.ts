import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort, type LaunchedProcess, type Launcher } from './process-launcher.js';

/** Name of the monitored master, as the app's `redis.name` gives it. */
export const SENTINEL_MASTER = 'mymaster';

/**
 * One master, one replica and three sentinels (quorum 2), each a `redis-server` of the suite's
 * own on loopback, started through the launcher (so killed by pid with everything else).
 *
 * @example const set = await SentinelSet.start(launcher, dir); await set.failover(); await set.stop();
 */
export class SentinelSet {
  private constructor(
    readonly masterPort: number,
    readonly replicaPort: number,
    readonly sentinelPorts: number[],
    private readonly processes: LaunchedProcess[],
  ) {}

  static async start(launcher: Launcher, dir: string): Promise<SentinelSet> {
    const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const server = (label: string, port: number, extra: string[], ready: RegExp) =>
      launcher.launch({
        label,
        command: 'redis-server',
        args: [
          ...['--dir', dir],
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          ...extra,
        ],
        env: { PATH: process.env.PATH },
        ready,
        logFile: `${dir}/${label}.log`,
      });
    const processes: LaunchedProcess[] = [];
    try {
      processes.push(await server('master', masterPort, [], /Ready to accept connections/));
      processes.push(
        await server(
          'replica',
          replicaPort,
          ['--replicaof', '127.0.0.1', String(masterPort)],
          /sync: Finished with success/,
        ),
      );
      for (const [i, port] of sentinelPorts.entries()) {
        const file = `${dir}/sentinel-${i}.conf`;
        writeFileSync(
          file,
          [
            `port ${port}`,
            `dir ${dir}`,
            'bind 127.0.0.1',
            `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER} 2000`,
            `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
            `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
            '',
          ].join('\n'),
        );
        processes.push(
          await launcher.launch({
            label: `sentinel-${i}`,
            command: 'redis-server',
            args: [file, '--sentinel'],
            env: { PATH: process.env.PATH },
            ready: /\+monitor master/,
            logFile: `${dir}/sentinel-${i}.log`,
          }),
        );
      }
    } catch (error) {
      await Promise.all(processes.map((p) => p.stop()));
      throw error;
    }
    return new SentinelSet(masterPort, replicaPort, sentinelPorts, processes);
  }

  /** `host:port,…` of the sentinels. */
  get addresses(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The port the sentinels currently name as master. */
  async currentMaster(): Promise<number> {
    const client = new Redis(this.sentinelPorts[0], '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const [, port] = (await client.call(
        'SENTINEL',
        'get-master-addr-by-name',
        SENTINEL_MASTER,
      )) as string[];
      return Number(port);
    } finally {
      client.disconnect();
    }
  }

  /**
   * Forces a failover (`SENTINEL FAILOVER`) and resolves once the sentinels name the other
   * server as master and it answers as one (within 30 s).
   */
  async failover(): Promise<number> {
    const before = await this.currentMaster();
    const client = new Redis(this.sentinelPorts[0], '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      await client.call('SENTINEL', 'FAILOVER', SENTINEL_MASTER);
    } finally {
      client.disconnect();
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const now = await this.currentMaster();
      if (now !== before && (await this.role(now)) === 'master') return now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the sentinels did not fail over within 30 s');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(5_000)));
  }

  private async role(port: number): Promise<string> {
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      return String(((await client.call('ROLE')) as unknown[])[0]);
    } finally {
      client.disconnect();
    }
  }
}
