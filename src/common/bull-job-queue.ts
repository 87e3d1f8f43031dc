import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import { BullRedisClients, bullQueuePrefix } from './bull-redis.js';
import type { RedisSource } from './redis-clients.js';
import { closeBullQueue } from './bull-close.js';
import type { NotificationJobOptions, NotificationJobQueue } from './job-queue.interface.js';

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
  /** Runs one job; throwing makes Bull retry with the job's backoff. */
  handler: (job: Bull.Job<T>) => Promise<unknown>;
  /** Jobs processed at once by this process (default 1). */
  concurrency?: number;
  /** Bull lock and stall settings (`lockDuration`, `stalledInterval`, `maxStalledCount`...). */
  settings?: Bull.AdvancedSettings;
  /** Logger context (default `'SessionSecurity'`). */
  logContext?: string;
}

/**
 * A Bull queue on the module's Redis with the `add(name, data, options)` of an `InlineQueue`, so
 * the two are interchangeable. It opens its own connections (Bull needs blocking ones) and closes
 * them on shutdown; with `worker` it also processes jobs here.
 *
 * @example
 * const queue = new BullJobQueue({ name: 'my-jobs', redis: 'redis://127.0.0.1:6379', prefix: 'ss:bull', worker: true, handler: (job) => run(job.data) });
 * await queue.add('run', { id: '1' }, { jobId: '1', attempts: 5 });
 */
export class BullJobQueue<T> implements NotificationJobQueue<T>, OnApplicationShutdown {
  readonly queue: Bull.Queue<T>;
  private readonly logger: Logger;
  /** Bull does not close connections it got from `createClient`; this queue does. */
  private readonly clients: BullRedisClients;

  constructor(options: BullJobQueueOptions<T>) {
    this.logger = new Logger(options.logContext ?? 'SessionSecurity');
    this.clients = new BullRedisClients(options.redis);
    // Each connection reports every failed reconnect: a repeated message is said once, until a
    // connection is ready again.
    let lastReported: string | null = null;
    this.queue = new Bull<T>(options.name, {
      prefix: bullQueuePrefix(options.prefix, options.name),
      createClient: () => this.clients.open().on('ready', () => (lastReported = null)),
      settings: options.settings,
    });
    this.queue.on('error', (error) => {
      if (error.message !== lastReported) this.logger.warn(`${options.name}: ${error.message}`);
      lastReported = error.message;
    });
    if (options.worker) {
      // Bull emits errors while running on the queue ('error', logged above); what is left is a
      // rejection when the connections are dropped before the queue was ready (Redis down).
      this.queue
        .process('*', options.concurrency ?? 1, (job) => options.handler(job))
        .catch(() => undefined);
    }
  }

  async add(name: string, data: T, options: NotificationJobOptions = {}): Promise<{ id: string }> {
    const job = await this.queue.add(name, data, options);
    return { id: String(job.id) };
  }

  /** Bull jobs run elsewhere as well; there is nothing in this process to wait for. */
  async whenIdle(): Promise<void> {}

  /** Closes the queue and its connections; bounded and quiet while Redis is down or frozen. */
  async close(): Promise<void> {
    await closeBullQueue(this.queue);
    await this.clients.closeAll();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
