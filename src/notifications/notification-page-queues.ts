import { createHash } from 'node:crypto';
import type Bull from 'bull';
import type { JobQueue } from '../jobs/job-queue.js';
import type { JobQueues } from '../jobs/job-queues.js';
import { InAppChannel } from './in-app.channel.js';
import type { NotificationChannelRegistry } from './notification-channel.registry.js';
import type { NotificationPageJobData } from './notification-job.js';
import type { ResolvedNotificationOptions } from './notification-options.js';

/** Queue name of a channel's pages: `session-security-notifications-<channel>`. */
export function notificationPageQueueName(channel: string): string {
  return `session-security-notifications-${channel}`;
}
/** Name of the one job kind on a page queue. */
export const NOTIFICATION_DELIVER_PAGE_JOB = 'deliver-page';
/** Notifications per page job when the channel does not say (`NotificationChannel.pageSize`). */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * One queue per channel (the in-app inbox needs none: its row is the delivery) for pages of
 * deliveries, each with the channel's own concurrency — the per-channel back-pressure: a slow
 * webhook fills only its own queue (in Redis, or in process), while revocation jobs and the other
 * channels go on. A page's job id is a hash of its channel and ids, so the same page queued twice
 * while it waits is one job.
 *
 * @example
 * await pageQueues.add([{ notificationId, channel: 'webhook' }, ...]);
 */
export class NotificationPageQueues {
  private readonly byChannel = new Map<string, JobQueue<NotificationPageJobData>>();

  constructor(
    queues: JobQueues,
    private readonly channels: NotificationChannelRegistry,
    private readonly options: ResolvedNotificationOptions,
    handler: (data: NotificationPageJobData) => Promise<unknown>,
  ) {
    for (const name of channels.names) {
      if (name === InAppChannel.NAME) continue;
      const queue = queues.open<NotificationPageJobData>({
        name: notificationPageQueueName(name),
        worker: options.worker,
        concurrency: channels.get(name)?.concurrency ?? 1,
        handler: (job) => handler(job.data),
        logContext: 'SessionSecurityNotifications',
      });
      this.byChannel.set(name, queue);
    }
  }

  /** The page queue of a channel (none for the in-app inbox). */
  queue(channel: string): JobQueue<NotificationPageJobData> | undefined {
    return this.byChannel.get(channel);
  }

  /** Every page queue, one per channel but the in-app inbox. */
  get all(): JobQueue<NotificationPageJobData>[] {
    return [...this.byChannel.values()];
  }

  /** Page jobs this process holds, queued or running (in process; none on Bull). */
  get inFlight(): number {
    return this.all.reduce((sum, queue) => sum + (queue.inFlight ?? 0), 0);
  }

  /** Their Bull queues (none in process), for the queue dashboard. */
  get bullQueues(): Bull.Queue<NotificationPageJobData>[] {
    return this.all.flatMap((queue) => (queue.bull ? [queue.bull] : []));
  }

  /**
   * Queues the deliveries as pages: per channel, in the order given, `pageSize` at a time. A
   * channel without a page queue (the in-app inbox) is skipped: its deliveries are recorded when
   * the notification is stored.
   */
  async add(deliveries: Array<{ notificationId: string; channel: string }>): Promise<number> {
    const byChannel = new Map<string, string[]>();
    for (const { notificationId, channel } of deliveries) {
      if (!this.byChannel.has(channel)) continue;
      const ids = byChannel.get(channel) ?? [];
      if (ids.length === 0) byChannel.set(channel, ids);
      ids.push(notificationId);
    }
    const adds: Promise<unknown>[] = [];
    for (const [channel, ids] of byChannel) {
      const queue = this.byChannel.get(channel)!;
      const size = this.channels.get(channel)?.pageSize ?? DEFAULT_PAGE_SIZE;
      for (let start = 0; start < ids.length; start += size) {
        const notificationIds = ids.slice(start, start + size);
        adds.push(
          queue.add(
            NOTIFICATION_DELIVER_PAGE_JOB,
            { channel, notificationIds },
            {
              jobId: pageJobId(channel, notificationIds),
              attempts: this.options.attempts,
              backoff: { type: 'exponential', delay: this.options.backoffMs },
              removeOnComplete: true,
              removeOnFail: 1000,
            },
          ),
        );
      }
    }
    await Promise.all(adds);
    return adds.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((queue) => queue.close()));
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** `page:<channel>:<hex SHA-256 of the ids>`, the same for the same page. */
function pageJobId(channel: string, ids: string[]): string {
  const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32);
  return `page:${channel}:${digest}`;
}
