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
import { NotificationService } from './notification.service.js';
import { serialTransaction } from '../common/serial-transaction.js';

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
 * Many notifications at once, for jobs: one transaction stores every new notification and its
 * pending deliveries (rows whose dedupe key exists are skipped), then their delivery jobs are
 * queued. A crash between the commit and the queueing loses nothing: pending deliveries are
 * queued again at the next start.
 *
 * @example
 * const created = await batch.notifyMany(rows.map((r) => ({
 *   userId: r.userId, type: 'session_revoked', payload: { sessionId: r.id }, dedupeKey: `session:${r.id}`,
 * })));
 */
@Injectable()
export class NotificationBatchService {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannelRegistry,
    private readonly notifications: NotificationService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Stores and queues the notifications not sent before; returns how many were new. */
  async notifyMany(items: BatchNotification[]): Promise<number> {
    const now = this.clock.now();
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
          deliveredVia: [],
          dedupeKey,
        }),
      );
    }
    if (byKey.size === 0) return 0;
    const channels = this.channels.names;
    const size = chunkSize(this.dataSource);
    const { created, deliveries } = await serialTransaction(this.dataSource, async (manager) => {
      const created: string[] = [];
      for (const part of chunks([...byKey.values()], size)) {
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
      const deliveries = created.flatMap((notificationId) =>
        channels.map((channel) => ({ notificationId, channel, status: 'pending' as const })),
      );
      for (const part of chunks(deliveries, size)) {
        await manager.insert(NotificationDelivery, part);
      }
      return { created, deliveries };
    });
    await this.notifications.enqueueDeliveries(deliveries);
    return created.length;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
