import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './private-redis.js';
import { RedisProcesses, command, waitFor } from './redis-processes.js';

const MASTER = 'mymaster';

/**
 * Redis behind Sentinel, of the test's own: one master, one replica and three sentinels (quorum
 * 2, `down-after-milliseconds` 1000) on free ports, ready once every sentinel knows the master,
 * its replica and the two other sentinels. {@link failover} forces `SENTINEL FAILOVER`.
 *
 * @example
 * const sentinel = await LocalRedisSentinel.start();
 * SessionSecurityModule.forRoot({ redis: { sentinels: sentinel.sentinels, name: sentinel.name }, ... });
 */
export class LocalRedisSentinel {
  readonly name = MASTER;

  private constructor(
    private readonly processes: RedisProcesses,
    private readonly dataPorts: number[],
    private readonly sentinelPorts: number[],
  ) {}

  /** The sentinels, for `{ sentinels, name }`. */
  get sentinels(): Array<{ host: string; port: number }> {
    return this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  }

  static async start(): Promise<LocalRedisSentinel> {
    const processes = await RedisProcesses.create('sentinel');
    try {
      const [master, replica] = [await freePort(), await freePort()];
      const data = (port: number) => [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', processes.dir],
        ...['--save', '', '--appendonly', 'no', '--dbfilename', `dump-${port}.rdb`],
      ];
      await processes.start(master, data(master));
      await processes.start(replica, [
        ...data(replica),
        '--replicaof',
        '127.0.0.1',
        String(master),
      ]);
      await waitFor('the replica in sync', async () =>
        String(await command(replica, 'INFO', 'replication')).includes('master_link_status:up'),
      );
      const sentinelPorts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const file = join(processes.dir, `sentinel-${port}.conf`);
        await writeFile(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${processes.dir}`,
            `sentinel monitor ${MASTER} 127.0.0.1 ${master} 2`,
            `sentinel down-after-milliseconds ${MASTER} 1000`,
            `sentinel failover-timeout ${MASTER} 5000`,
            `sentinel parallel-syncs ${MASTER} 1`,
            '',
          ].join('\n'),
        );
        await processes.start(port, [file, '--sentinel']);
        sentinelPorts.push(port);
      }
      const sentinel = new LocalRedisSentinel(processes, [master, replica], sentinelPorts);
      await sentinel.settled(master);
      return sentinel;
    } catch (error) {
      await processes.stop();
      throw error;
    }
  }

  /** The port of the current master, as the first sentinel reports it. */
  async masterPort(): Promise<number> {
    const reply = (await command(
      this.sentinelPorts[0],
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      MASTER,
    )) as string[];
    return Number(reply[1]);
  }

  /**
   * Forces a failover (`SENTINEL FAILOVER`) and resolves once every sentinel reports the former
   * replica as master, that one answers `role:master`, and the former master follows it.
   */
  async failover(): Promise<{ from: number; to: number }> {
    const from = await this.masterPort();
    const to = this.dataPorts.find((port) => port !== from)!;
    await command(this.sentinelPorts[0], 'SENTINEL', 'FAILOVER', MASTER);
    await waitFor('the promoted replica', async () =>
      String(await command(to, 'INFO', 'replication')).includes('role:master'),
    );
    await this.settled(to);
    return { from, to };
  }

  /** Freezes the current replica (SIGSTOP): it stays connected and confirms nothing. */
  async pauseReplica(): Promise<void> {
    const master = await this.masterPort();
    this.processes.signal(
      this.dataPorts.find((port) => port !== master)!,
      'SIGSTOP',
    );
  }

  /** Lets the frozen replica go on (SIGCONT). */
  resumeReplicas(): void {
    for (const port of this.dataPorts) this.processes.signal(port, 'SIGCONT');
  }

  /** Ends the five processes and removes their files. */
  stop(): Promise<void> {
    return this.processes.stop();
  }

  private async settled(master: number): Promise<void> {
    for (const port of this.sentinelPorts) {
      await waitFor(`sentinel ${port} to know the setup`, async () => {
        const reply = (await command(port, 'SENTINEL', 'MASTER', MASTER)) as string[];
        const field = (name: string) => reply[reply.indexOf(name) + 1];
        return (
          Number(field('port')) === master &&
          !field('flags').includes('down') &&
          Number(field('num-slaves')) >= 1 &&
          Number(field('num-other-sentinels')) >= 2
        );
      });
    }
  }
}
