import { Inject, Injectable, Logger } from '@nestjs/common';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { isSqliteFamily, serialTransaction } from '../common/serial-transaction.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { NotificationChannelRegistry } from './notification-channel.registry.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import type { NotificationPageJobData } from './notification-job.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_OPTIONS,
  type ResolvedNotificationOptions,
} from './notification-options.js';
import { SessionNotification } from './notification.entity.js';

/** What one run of a page job did. */
export interface PageDeliveryOutcome {
  /** Deliveries this run handed to the channel. */
  delivered: number;
  /** Deliveries already delivered, or claimed by another worker, or unknown: left alone. */
  skipped: number;
}

/**
 * Runs one page job: delivers many notifications through one channel. It claims the page's
 * delivery rows that are still open in one statement (rows another worker holds are skipped, so a
 * page processed twice, even at once, hands each notification over once), hands the claimed ones
 * to the channel — `deliverMany` when the channel has it, else `deliver` one by one — and records
 * the outcome set-based. A failure is recorded on the rows it concerns and rethrown, so the queue
 * retries the page, which then claims only what is still open.
 *
 * @example
 * await pages.run({ channel: 'webhook', notificationIds }); // { delivered: 500, skipped: 0 }
 */
@Injectable()
export class NotificationPageDeliveryService {
  private readonly logger = new Logger('SessionSecurityNotifications');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannelRegistry,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: ResolvedNotificationOptions,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run({ channel, notificationIds }: NotificationPageJobData): Promise<PageDeliveryOutcome> {
    const target = this.channels.get(channel);
    if (!target) throw new Error(`no notification channel named '${channel}' in this process`);
    const claimed = await serialTransaction(this.dataSource, (m) =>
      this.claim(m, channel, notificationIds),
    );
    const skipped = notificationIds.length - claimed.length;
    if (claimed.length === 0) return { delivered: 0, skipped };
    const notifications = await this.dataSource
      .getRepository(SessionNotification)
      .find({ where: { id: In(claimed) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const delivered: string[] = [];
    let failure: unknown = null;
    if (target.deliverMany) {
      try {
        await target.deliverMany(notifications);
        delivered.push(...notifications.map((n) => n.id));
      } catch (error) {
        failure = error;
      }
    } else {
      // One by one may outlast a lease: renewed at half-time, so no rescan takes the page over.
      let renewAt = this.clock.now() + this.options.leaseMs / 2;
      for (const notification of notifications) {
        if (this.clock.now() >= renewAt) {
          await this.renewLease(channel, claimed);
          renewAt = this.clock.now() + this.options.leaseMs / 2;
        }
        try {
          await target.deliver(notification);
          delivered.push(notification.id);
        } catch (error) {
          failure = error;
          break; // the rest stay claimed until failed below; the retry delivers them in order
        }
      }
    }
    if (delivered.length > 0) {
      await serialTransaction(this.dataSource, (m) => this.recordDelivered(m, channel, delivered));
    }
    const done = new Set(delivered);
    const open = claimed.filter((id) => !done.has(id));
    if (open.length > 0) {
      failure ??= new Error(`${open.length} notifications of the page no longer exist`);
      await this.recordFailed(channel, open, describe(failure));
      this.logger.warn(
        `${channel}: ${open.length} deliveries of a page failed: ${describe(failure)}`,
      );
      throw failure;
    }
    return { delivered: delivered.length, skipped };
  }

  /** Marks the page's open rows `sending` under a lease; returns the ids this run owns. */
  private async claim(
    manager: EntityManager,
    channel: string,
    notificationIds: string[],
  ): Promise<string[]> {
    if (notificationIds.length === 0) return [];
    const now = this.clock.now();
    const select = manager
      .getRepository(NotificationDelivery)
      .createQueryBuilder('d')
      .select('d.notificationId')
      .where('d.channel = :channel AND d.notificationId IN (:...ids)', {
        channel,
        ids: notificationIds,
      })
      .andWhere(
        `(d.status IN ('pending', 'failed') OR (d.status = 'sending' AND d.leaseUntil < :now))`,
        { now },
      )
      .orderBy('d.notificationId', 'ASC');
    if (!isSqliteFamily(manager.connection)) {
      select.setLock('pessimistic_write').setOnLocked('skip_locked');
    }
    const ids = (await select.getMany()).map((row) => row.notificationId);
    if (ids.length === 0) return [];
    await manager
      .createQueryBuilder()
      .update(NotificationDelivery)
      .set({
        status: 'sending',
        leaseUntil: now + this.options.leaseMs,
        attempts: () => '"attempts" + 1',
      })
      .where('"channel" = :channel AND "notificationId" IN (:...ids)', { channel, ids })
      .execute();
    return ids;
  }

  /**
   * Marks the rows delivered and rewrites each notification's `deliveredVia` from its delivery
   * rows under a lock on the notification rows (as single deliveries do), grouped so that
   * notifications with the same channel list share one `UPDATE`.
   */
  private async recordDelivered(
    manager: EntityManager,
    channel: string,
    ids: string[],
  ): Promise<void> {
    await manager
      .getRepository(NotificationDelivery)
      .update(
        { channel, notificationId: In(ids) },
        { status: 'delivered', deliveredAt: this.clock.now(), leaseUntil: null, lastError: null },
      );
    const sorted = [...ids].sort();
    const lock = manager
      .getRepository(SessionNotification)
      .createQueryBuilder('n')
      .select('n.id')
      .where('n.id IN (:...ids)', { ids: sorted })
      .orderBy('n.id', 'ASC');
    if (!isSqliteFamily(manager.connection)) lock.setLock('pessimistic_write');
    await lock.getMany();
    const rows = await manager.getRepository(NotificationDelivery).find({
      select: { notificationId: true, channel: true },
      where: { notificationId: In(sorted), status: 'delivered' },
      order: { channel: 'ASC' },
    });
    const via = new Map<string, string[]>();
    for (const row of rows) {
      const channels = via.get(row.notificationId) ?? [];
      if (channels.length === 0) via.set(row.notificationId, channels);
      channels.push(row.channel);
    }
    const byList = new Map<string, string[]>();
    for (const [id, channels] of via) {
      const key = JSON.stringify(channels);
      const group = byList.get(key) ?? [];
      if (group.length === 0) byList.set(key, group);
      group.push(id);
    }
    for (const [key, group] of byList) {
      await manager
        .getRepository(SessionNotification)
        .update({ id: In(group) }, { deliveredVia: JSON.parse(key) as string[] });
    }
  }

  private async renewLease(channel: string, ids: string[]): Promise<void> {
    await this.dataSource
      .getRepository(NotificationDelivery)
      .update(
        { channel, notificationId: In(ids), status: 'sending' },
        { leaseUntil: this.clock.now() + this.options.leaseMs },
      );
  }

  private async recordFailed(channel: string, ids: string[], message: string): Promise<void> {
    await this.dataSource
      .getRepository(NotificationDelivery)
      .update(
        { channel, notificationId: In(ids), status: 'sending' },
        { status: 'failed', lastError: message.slice(0, 512), leaseUntil: null },
      );
  }
}

function describe(error: unknown): string {
  return String((error as Error)?.message ?? error);
}
