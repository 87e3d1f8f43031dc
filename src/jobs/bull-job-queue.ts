import { Logger } from '@nestjs/common';
import Bull from 'bull';
import { BullRedisClients, bullQueuePrefix } from '../common/bull-redis.js';
import type { RedisSource } from '../common/redis-clients.js';
import { closeBullQueue } from '../common/bull-close.js';
import type { JobHandler, JobOptions, JobQueue } from './job-queue.js';

/**
 * How a {@link BullJobQueue} connects and, when it is a worker, processes.
 *
 * @example
 * const options: BullJobQueueOptions<{ id: string }> = { name: 'my-jobs', redis, prefix: 'ss:bull', worker: true, handler };
 */
export interface BullJobQueueOptions<T> {
  /** The Bull queue name. */
  name: string;
  /** The module's Redis: a URL, a Cluster or Sentinel config, or a client that is duplicated. */
  redis: RedisSource;
  /** Bull key prefix, e.g. `<redisKeyPrefix>bull`; the queue name is added as hash tag (see {@link bullQueuePrefix}). */
  prefix: string;
  /** Process jobs in this process. */
  worker: boolean;
  /** Runs one try; throwing makes Bull retry with the job's backoff. */
  handler: JobHandler<T>;
  /** Jobs processed at once by this process (default 1). */
  concurrency?: number;
  /** Bull lock and stall settings (`lockDuration`, `stalledInterval`, `maxStalledCount`...). */
  settings?: Bull.AdvancedSettings;
  /** Logger context (default `'SessionSecurity'`). */
  logContext?: string;
}

/**
 * The Bull adapter of {@link JobQueue}, on the module's Redis. It opens its own connections
 * (Bull needs blocking ones) and closes them on shutdown; with `worker` it also processes jobs
 * here.
 *
 * @example
 * const queue = new BullJobQueue({ name: 'my-jobs', redis: 'redis://127.0.0.1:6379', prefix: 'ss:bull', worker: true, handler: (job) => run(job.data) });
 * await queue.add('run', { id: '1' }, { jobId: '1', attempts: 5 });
 */
export class BullJobQueue<T> implements JobQueue<T> {
  readonly name: string;
  readonly bull: Bull.Queue<T>;
  private readonly logger: Logger;
  /** Bull does not close connections it got from `createClient`; this queue does. */
  private readonly clients: BullRedisClients;

  constructor(options: BullJobQueueOptions<T>) {
    this.name = options.name;
    this.logger = new Logger(options.logContext ?? 'SessionSecurity');
    this.clients = new BullRedisClients(options.redis);
    // Each connection reports every failed reconnect: a repeated message is said once, until a
    // connection is ready again.
    let lastReported: string | null = null;
    this.bull = new Bull<T>(options.name, {
      prefix: bullQueuePrefix(options.prefix, options.name),
      createClient: () => this.clients.open().on('ready', () => (lastReported = null)),
      settings: options.settings,
    });
    this.bull.on('error', (error) => {
      if (error.message !== lastReported) this.logger.warn(`${options.name}: ${error.message}`);
      lastReported = error.message;
    });
    if (options.worker) {
      // Bull emits errors while running on the queue ('error', logged above); what is left is a
      // rejection when the connections are dropped before the queue was ready (Redis down).
      this.bull
        .process('*', options.concurrency ?? 1, (job) =>
          options.handler({
            id: String(job.id),
            name: job.name,
            data: job.data,
            attemptsMade: job.attemptsMade,
            attempts: job.opts.attempts ?? 1,
            update: (data) => job.update(data),
            progress: (percent) => job.progress(percent),
          }),
        )
        .catch(() => undefined);
    }
  }

  async add(name: string, data: T, options: JobOptions = {}): Promise<{ id: string }> {
    const job = await this.bull.add(name, data, options);
    return { id: String(job.id) };
  }

  /** Bull jobs run elsewhere as well; there is nothing in this process to wait for. */
  async whenIdle(): Promise<void> {}

  /** Closes the queue and its connections; bounded and quiet while Redis is down or frozen. */
  async close(): Promise<void> {
    await closeBullQueue(this.bull);
    await this.clients.closeAll();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
