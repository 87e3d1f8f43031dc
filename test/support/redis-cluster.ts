import { join } from 'node:path';
import { freePort } from './private-redis.js';
import { RedisProcesses, command, run, waitFor } from './redis-processes.js';

/**
 * A Redis Cluster of the test's own: 6 `redis-server` processes in cluster mode (3 masters,
 * 3 replicas) on free ports, joined with `redis-cli --cluster create`, ready once every node
 * reports `cluster_state:ok`.
 *
 * @example
 * const cluster = await LocalRedisCluster.start();
 * SessionSecurityModule.forRoot({ redis: { cluster: cluster.nodes }, ... });
 * await cluster.stop();
 */
export class LocalRedisCluster {
  private constructor(
    private readonly processes: RedisProcesses,
    readonly ports: number[],
  ) {}

  /** Startup nodes for `{ cluster: [...] }` or `new Cluster(...)`. */
  get nodes(): Array<{ host: string; port: number }> {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  static async start(): Promise<LocalRedisCluster> {
    const processes = await RedisProcesses.create('cluster');
    const ports: number[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        // The cluster bus gets a port of its own (port + 10000 may not exist or be taken).
        const [port, bus] = [await freePort(), await freePort()];
        ports.push(port);
        await processes.start(port, [
          ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-port', String(bus)],
          ...['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'],
          ...['--cluster-config-file', join(processes.dir, `nodes-${port}.conf`)],
          ...['--dir', processes.dir, '--save', '', '--appendonly', 'no'],
        ]);
      }
      await run('redis-cli', [
        ...['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`)],
        ...['--cluster-replicas', '1', '--cluster-yes'],
      ]);
      for (const port of ports) {
        await waitFor(`cluster_state:ok on ${port}`, async () =>
          String(await command(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
        );
      }
      // The state is ok once the masters cover every slot; a replica may join the slot map a
      // moment later, and the tests that freeze a replica need it there.
      await waitFor('a replica for every slot range', async () => {
        const ranges = (await command(ports[0], 'CLUSTER', 'SLOTS')) as unknown[][];
        return ranges.length === 3 && ranges.every((range) => range.length >= 4);
      });
      return new LocalRedisCluster(processes, ports);
    } catch (error) {
      await processes.stop();
      throw error;
    }
  }

  /** Freezes (SIGSTOP) the replica of the master that serves `key`: it confirms no writes. */
  async pauseReplicaOf(key: string): Promise<void> {
    const port = this.ports[0];
    const slot = Number(await command(port, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await command(port, 'CLUSTER', 'SLOTS')) as Array<
      [number, number, ...Array<[string, number]>]
    >;
    const range = ranges.find(([start, end]) => start <= slot && slot <= end);
    const replica = range?.[3] as [string, number] | undefined;
    if (!replica) throw new Error(`no replica serves slot ${slot}`);
    this.processes.signal(Number(replica[1]), 'SIGSTOP');
  }

  /** Lets frozen nodes go on (SIGCONT). */
  resumeAll(): void {
    for (const port of this.ports) this.processes.signal(port, 'SIGCONT');
  }

  /** Ends the six processes and removes their files. */
  stop(): Promise<void> {
    return this.processes.stop();
  }
}
