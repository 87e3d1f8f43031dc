import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { In, type DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { NotificationChannelRegistry } from './notification-channel.registry.js';
import { notificationDedupeKey } from './notification-dedupe.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { NOTIFICATION_CHANNELS } from './notification-options.js';
import { assertNotificationType, type NotificationType } from './notification-types.js';
import { SessionNotification } from './notification.entity.js';
import { serialTransaction } from '../common/serial-transaction.js';
import { enqueueWithin } from '../jobs/bounded-enqueue.js';
import { InAppChannel } from './in-app.channel.js';
import { NotificationPageQueues } from './notification-page-queues.js';
import {
  insertBatchPostgres,
  type BatchDeliveryRow,
  type BatchInsertResult,
} from './notification-batch-insert.js';

/**
 * One notification of a batch. `dedupeKey` is required: a batch may be sent again (a retried or
 * resumed job), and the key is what makes the second time a no-op.
 *
 * @example
 * const item: BatchNotification = { userId: 'u-42', type: 'session_revoked', payload: { sessionId }, dedupeKey: `session:${sessionId}` };
 */
export interface BatchNotification {
  userId: string;
  type: NotificationType;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/**
 * Rows per INSERT: 8 columns each stays below SQLite's 999 bound parameters at 100, and far below
 * PostgreSQL's 65,535 at 1,000.
 */
const chunkSize = (dataSource: DataSource) => (dataSource.options.type === 'postgres' ? 1000 : 100);

/**
 * Many notifications at once, for jobs: one statement on PostgreSQL (one transaction elsewhere)
 * stores every new notification and its deliveries (rows whose dedupe key exists are skipped).
 * The in-app inbox delivery is recorded with the row — the row is the inbox entry — and every
 * other channel's deliveries are queued as pages, one job per channel per page
 * ({@link NotificationPageQueues}), not one per notification.
 * The queueing waits at most 2 s: a crash between the commit and the queueing, or a queue that
 * does not answer, loses nothing, since pending deliveries are queued again by the reconciler.
 *
 * @example
 * const created = await batch.notifyMany(rows.map((r) => ({
 *   userId: r.userId, type: 'session_revoked', payload: { sessionId: r.id }, dedupeKey: `session:${r.id}`,
 * })));
 */
@Injectable()
export class NotificationBatchService {
  private deferred = false;

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannelRegistry,
    private readonly pages: NotificationPageQueues,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Stores and queues the notifications not sent before; returns how many were new. */
  async notifyMany(items: BatchNotification[]): Promise<number> {
    const now = this.clock.now();
    const inApp = this.channels.get(InAppChannel.NAME) instanceof InAppChannel;
    const deliveredVia = inApp ? [InAppChannel.NAME] : [];
    const byKey = new Map<string, SessionNotification>();
    for (const item of items) {
      assertNotificationType(item.type);
      const dedupeKey = notificationDedupeKey(item.userId, item.type, item.dedupeKey);
      if (byKey.has(dedupeKey)) continue;
      byKey.set(
        dedupeKey,
        Object.assign(new SessionNotification(), {
          id: randomUUID(),
          userId: item.userId,
          type: item.type,
          payload: item.payload,
          createdAt: now,
          readAt: null,
          deliveredVia,
          dedupeKey,
        }),
      );
    }
    if (byKey.size === 0) return 0;
    // The in-app delivery is the row itself: recorded as delivered with it.
    const deliveries: BatchDeliveryRow[] = this.channels.names.map((channel) =>
      inApp && channel === InAppChannel.NAME
        ? { channel, status: 'delivered', deliveredAt: now }
        : { channel, status: 'pending', deliveredAt: null },
    );
    const notifications = [...byKey.values()];
    const { created, pending } =
      this.dataSource.options.type === 'postgres'
        ? await insertBatchPostgres(
            this.dataSource,
            notifications,
            { createdAt: now, deliveredVia },
            deliveries,
          )
        : await this.insertPortable(notifications, deliveries);
    const { outcome } = await enqueueWithin(() => this.pages.add(pending));
    if (outcome === 'deferred') this.deferred = true;
    return created.length;
  }

  /** Any database: the same rows in one transaction, chunked to the bound-parameter limit. */
  private insertPortable(
    notifications: SessionNotification[],
    deliveries: BatchDeliveryRow[],
  ): Promise<BatchInsertResult> {
    const size = chunkSize(this.dataSource);
    return serialTransaction(this.dataSource, async (manager) => {
      const created: string[] = [];
      for (const part of chunks(notifications, size)) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(SessionNotification)
          .values(part as QueryDeepPartialEntity<SessionNotification>[])
          .orIgnore()
          .execute();
        const stored = await manager.find(SessionNotification, {
          select: { id: true, dedupeKey: true },
          where: { dedupeKey: In(part.map((n) => n.dedupeKey)) },
        });
        const mine = new Set(part.map((n) => n.id));
        created.push(...stored.filter((n) => mine.has(n.id)).map((n) => n.id));
      }
      const rows = created.flatMap((notificationId) =>
        deliveries.map((d) => ({ notificationId, ...d })),
      );
      for (const part of chunks(rows, size)) {
        await manager.insert(NotificationDelivery, part);
      }
      const pending = rows
        .filter((row) => row.status === 'pending')
        .map(({ notificationId, channel }) => ({ notificationId, channel }));
      return { created, pending };
    });
  }

  /**
   * Whether a `notifyMany()` could not queue its pages since the last call (and resets it): the
   * reconciler then queues every outstanding delivery again.
   */
  takeDeferred(): boolean {
    const deferred = this.deferred;
    this.deferred = false;
    return deferred;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
