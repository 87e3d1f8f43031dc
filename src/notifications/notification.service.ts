import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IsNull, type DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { enqueueWithin, type EnqueueOutcome } from '../jobs/bounded-enqueue.js';
import type { ReconcileSignal } from '../jobs/reconcile-loop.js';
import type { NotificationChannelRegistry } from './notification-channel.registry.js';
import { notificationDedupeKey } from './notification-dedupe.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { belowLimit, type JobQueue } from '../jobs/job-queue.js';
import type { NotificationJobData } from './notification-job.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_DELIVER_JOB,
  NOTIFICATION_JOB_QUEUE,
  NOTIFICATION_OPTIONS,
  type ResolvedNotificationOptions,
} from './notification-options.js';
import { assertNotificationType, type NotificationType } from './notification-types.js';
import { SessionNotification } from './notification.entity.js';
import { serialTransaction } from '../common/serial-transaction.js';
import { NotificationPageQueues } from './notification-page-queues.js';

/** Delivery jobs added at once by {@link NotificationService.enqueueDeliveries}. */
const ENQUEUE_CONCURRENCY = 500;
/** Deliveries read and queued per batch when every outstanding one is queued again. */
const REQUEUE_BATCH = 500;
/** Options of {@link NotificationService.notify}. */
export interface NotifyOptions {
  /** The same key for the same user and type is one notification, delivered once per channel. */
  dedupeKey?: string;
  /** Only these channels (default: every registered channel). */
  channels?: string[];
}

/** Result of {@link NotificationService.notify}. */
export interface NotifyResult {
  notification: SessionNotification;
  /** `false` when the dedupe key matched an existing notification. */
  created: boolean;
  /**
   * `'deferred'` when the queue did not take the delivery jobs within 2 s (Redis frozen or down):
   * the deliveries are stored `pending` and the reconciler queues them once the queue answers.
   */
  queued: EnqueueOutcome;
}

/** What {@link NotificationService.requeueOutstanding} did. */
export interface RequeueResult {
  /** Deliveries handed to the queue again. */
  requeued: number;
  /** `false` when it stopped early: the app is closing, or the queue did not answer. */
  complete: boolean;
}

/** Options of {@link NotificationService.listForUser}. */
export interface ListNotificationsOptions {
  unreadOnly?: boolean;
  /** 1 to 200 (default 50). */
  limit?: number;
}

/**
 * Creates notifications and queues their delivery; reads and marks a user's inbox.
 *
 * @example
 * await notifications.notify(userId, 'session_revoked', { sessionId }, { dedupeKey: `revoked:${sessionId}` });
 * const unread = await notifications.listForUser(userId, { unreadOnly: true });
 * await notifications.markRead(userId, unread[0].id);
 */
@Injectable()
export class NotificationService {
  private deferred = false;

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannelRegistry,
    @Inject(NOTIFICATION_JOB_QUEUE) private readonly queue: JobQueue<NotificationJobData>,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: ResolvedNotificationOptions,
    @Inject(Clock) private readonly clock: Clock,
    private readonly pages: NotificationPageQueues,
  ) {}

  /**
   * Stores the notification and one pending delivery per channel in one transaction, then queues
   * one job per pending delivery (job id `<notificationId>:<channel>`). With a `dedupeKey` seen
   * before, no row is added and only deliveries still pending are queued again (a crash between
   * commit and queueing is healed by calling again; nothing is delivered twice). Waits at most
   * 2 s for the queue: see {@link NotifyResult.queued}.
   *
   * @example
   * const { created } = await notifications.notify('u-42', 'password_changed', {}, { dedupeKey: 'pw:17' });
   */
  async notify(
    userId: string,
    type: NotificationType,
    payload: Record<string, unknown> = {},
    options: NotifyOptions = {},
  ): Promise<NotifyResult> {
    if (typeof userId !== 'string' || userId.length < 1 || userId.length > 128) {
      throw new RangeError('userId: must be 1 to 128 characters');
    }
    assertNotificationType(type);
    const channels = this.pickChannels(options.channels);
    const dedupeKey = notificationDedupeKey(userId, type, options.dedupeKey);
    const fresh: SessionNotification = Object.assign(new SessionNotification(), {
      id: randomUUID(),
      userId,
      type,
      payload,
      createdAt: this.clock.now(),
      readAt: null,
      deliveredVia: [],
      dedupeKey,
    });
    const notification = await serialTransaction(this.dataSource, async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(SessionNotification)
        .values(fresh as QueryDeepPartialEntity<SessionNotification>)
        .orIgnore()
        .execute();
      const stored = await manager.findOneByOrFail(SessionNotification, { dedupeKey });
      if (stored.id === fresh.id && channels.length > 0) {
        await manager.insert(
          NotificationDelivery,
          channels.map((channel) => ({
            notificationId: fresh.id,
            channel,
            status: 'pending' as const,
          })),
        );
      }
      return stored;
    });
    const { outcome } = await enqueueWithin(() => this.enqueuePending(notification.id));
    if (outcome === 'deferred') this.deferred = true;
    return { notification, created: notification.id === fresh.id, queued: outcome };
  }

  /**
   * Queues every delivery of one notification that is still `pending`.
   *
   * @example
   * await notifications.enqueuePending(notification.id);
   */
  async enqueuePending(notificationId: string): Promise<number> {
    const pending = await this.dataSource.getRepository(NotificationDelivery).find({
      where: { status: 'pending', notificationId },
    });
    await this.enqueueDeliveries(pending);
    return pending.length;
  }

  /**
   * Queues again every delivery that is not finished — `pending`, `failed` with tries left, or
   * `sending` with an expired claim — in batches of 500 read by key: as pages for the channels
   * that have a page queue (every channel but the in-app inbox), as single jobs otherwise. Memory
   * stays bounded by the batch, however many are outstanding: with in-process queues the next
   * batch waits until fewer than 500 single jobs are left and the batch's pages are done. Used by the reconciler at startup and after Redis lost
   * its data; a job still queued under the same id is not added twice, and the claim on the
   * delivery row keeps a delivery from running twice. Stops between batches once `signal` is
   * stopped, and when the queue does not take a batch within 2 s.
   *
   * @example
   * await notifications.requeueOutstanding(); // { requeued: 270076, complete: true }
   */
  async requeueOutstanding(signal: ReconcileSignal = { stopped: false }): Promise<RequeueResult> {
    let after: { notificationId: string; channel: string } | null = null;
    let requeued = 0;
    for (;;) {
      if (signal.stopped) return { requeued, complete: false };
      const select = this.dataSource
        .getRepository(NotificationDelivery)
        .createQueryBuilder('d')
        .select(['d.notificationId', 'd.channel'])
        .where(
          `(d.status = 'pending' OR (d.status = 'failed' AND d.attempts < :attempts) ` +
            `OR (d.status = 'sending' AND d.leaseUntil < :now))`,
          { attempts: this.options.attempts, now: this.clock.now() },
        )
        .orderBy('d.notificationId', 'ASC')
        .addOrderBy('d.channel', 'ASC')
        .limit(REQUEUE_BATCH);
      if (after) {
        select.andWhere(
          '(d.notificationId > :id OR (d.notificationId = :id AND d.channel > :channel))',
          { id: after.notificationId, channel: after.channel },
        );
      }
      const batch = await select.getMany();
      if (batch.length === 0) return { requeued, complete: true };
      if (signal.stopped) return { requeued, complete: false };
      // A channel with a page queue gets its part of the batch as pages; the rest (in-app
      // deliveries of `notify()`) as single jobs.
      const paged = batch.filter((d) => this.pages.queue(d.channel));
      const single = batch.filter((d) => !this.pages.queue(d.channel));
      const { outcome } = await enqueueWithin(() =>
        Promise.all([this.enqueueDeliveries(single), this.pages.add(paged)]),
      );
      if (outcome === 'deferred') return { requeued, complete: false };
      requeued += batch.length;
      after = batch[batch.length - 1];
      await belowLimit(this.queue, REQUEUE_BATCH, signal);
      await belowLimit(this.pages, 1, signal);
    }
  }

  /**
   * Whether a `notify()` could not queue its deliveries since the last call (and resets it): the
   * reconciler then queues every outstanding delivery again.
   */
  takeDeferred(): boolean {
    const deferred = this.deferred;
    this.deferred = false;
    return deferred;
  }

  /**
   * Queues delivery jobs (job id `<notificationId>:<channel>`, so a job still queued is not added
   * twice) with the configured retries.
   *
   * @example
   * await notifications.enqueueDeliveries([{ notificationId, channel: 'in_app' }]);
   */
  async enqueueDeliveries(
    deliveries: Array<Pick<NotificationDelivery, 'notificationId' | 'channel'>>,
  ): Promise<void> {
    // Concurrent adds share the queue's connection in one pipeline: a job's batch of thousands
    // costs a few round trips, not one each.
    for (let start = 0; start < deliveries.length; start += ENQUEUE_CONCURRENCY) {
      const part = deliveries.slice(start, start + ENQUEUE_CONCURRENCY);
      await Promise.all(
        part.map(({ notificationId: id, channel }) =>
          this.queue.add(
            NOTIFICATION_DELIVER_JOB,
            { notificationId: id, channel },
            {
              jobId: `${id}:${channel}`,
              attempts: this.options.attempts,
              backoff: { type: 'exponential', delay: this.options.backoffMs },
              removeOnComplete: true,
              removeOnFail: 1000,
            },
          ),
        ),
      );
    }
  }

  /**
   * The user's notifications, newest first.
   *
   * @example
   * await notifications.listForUser('u-42', { unreadOnly: true, limit: 20 });
   */
  async listForUser(
    userId: string,
    options: ListNotificationsOptions = {},
  ): Promise<SessionNotification[]> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new RangeError('limit: must be an integer from 1 to 200');
    }
    return this.dataSource.getRepository(SessionNotification).find({
      where: { userId, ...(options.unreadOnly ? { readAt: IsNull() } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  /**
   * Marks one of the user's own notifications read. Returns `false` — and changes nothing — when
   * no notification with that id belongs to the user, so callers answer 404 either way and never
   * reveal another user's ids.
   *
   * @example
   * if (!(await notifications.markRead(session.userId, id))) throw new NotFoundException();
   */
  async markRead(userId: string, id: string): Promise<boolean> {
    const repo = this.dataSource.getRepository(SessionNotification);
    const result = await repo.update(
      { id, userId, readAt: IsNull() },
      { readAt: this.clock.now() },
    );
    if (result.affected) return true;
    return repo.existsBy({ id, userId });
  }

  /**
   * How each channel stands for one notification.
   *
   * @example
   * await notifications.deliveries(id); // [{ channel: 'webhook', status: 'failed', attempts: 3, ... }]
   */
  deliveries(notificationId: string): Promise<NotificationDelivery[]> {
    return this.dataSource
      .getRepository(NotificationDelivery)
      .find({ where: { notificationId }, order: { channel: 'ASC' } });
  }

  private pickChannels(names: string[] | undefined): string[] {
    if (!names) return this.channels.names;
    const unknown = names.filter((name) => !this.channels.get(name));
    if (unknown.length > 0) throw new RangeError(`channels: unknown ${unknown.join(', ')}`);
    return [...new Set(names)];
  }
}
