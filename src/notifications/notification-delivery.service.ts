import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { NotificationChannelRegistry } from './notification-channel.registry.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import type { NotificationJobData } from './notification-job.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_OPTIONS,
  type ResolvedNotificationOptions,
} from './notification-options.js';
import { SessionNotification } from './notification.entity.js';
import { isSqliteFamily, serialTransaction } from '../common/serial-transaction.js';

/** What one run of a delivery job did. */
export type DeliveryOutcome = 'delivered' | 'already_delivered' | 'in_flight' | 'unknown';

/**
 * Runs one delivery job, the same code on either queue adapter (Bull or in process): claims the
 * delivery row (so a job processed twice, even concurrently, calls the channel once), calls the
 * channel, and records success — or the error, rethrown so the queue retries. A claim whose
 * worker died expires after `leaseMs` and may be taken over.
 *
 * @example
 * await delivery.run({ notificationId, channel: 'webhook' }); // 'delivered'
 */
@Injectable()
export class NotificationDeliveryService {
  private readonly logger = new Logger('SessionSecurityNotifications');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannelRegistry,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: ResolvedNotificationOptions,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async run({ notificationId, channel }: NotificationJobData): Promise<DeliveryOutcome> {
    const key = { notificationId, channel };
    if (!(await this.claim(notificationId, channel))) {
      const row = await this.dataSource.getRepository(NotificationDelivery).findOneBy(key);
      if (!row) return 'unknown';
      return row.status === 'delivered' ? 'already_delivered' : 'in_flight';
    }
    try {
      const notification = await this.dataSource
        .getRepository(SessionNotification)
        .findOneByOrFail({ id: notificationId });
      const target = this.channels.get(channel);
      if (!target) throw new Error(`no notification channel named '${channel}' in this process`);
      await target.deliver(notification);
    } catch (error) {
      const message = String((error as Error)?.message ?? error).slice(0, 512);
      await this.dataSource
        .getRepository(NotificationDelivery)
        .update(
          { ...key, status: 'sending' },
          { status: 'failed', lastError: message, leaseUntil: null },
        );
      this.logger.warn(`delivery ${notificationId}:${channel} failed: ${message}`);
      throw error;
    }
    await serialTransaction(this.dataSource, (manager) => this.recordDelivered(manager, key));
    return 'delivered';
  }

  private async claim(notificationId: string, channel: string): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.dataSource
      .createQueryBuilder()
      .update(NotificationDelivery)
      .set({
        status: 'sending',
        leaseUntil: now + this.options.leaseMs,
        attempts: () => '"attempts" + 1',
      })
      .where('"notificationId" = :notificationId AND "channel" = :channel', {
        notificationId,
        channel,
      })
      .andWhere(
        `("status" IN ('pending', 'failed') OR ("status" = 'sending' AND "leaseUntil" < :now))`,
        { now },
      )
      .execute();
    return result.affected === 1;
  }

  /**
   * Marks the delivery done and rewrites `deliveredVia` from the delivery rows under a lock on the
   * notification row, so channels finishing at the same time never drop each other's name.
   */
  private async recordDelivered(
    manager: EntityManager,
    key: { notificationId: string; channel: string },
  ): Promise<void> {
    await manager.getRepository(NotificationDelivery).update(key, {
      status: 'delivered',
      deliveredAt: this.clock.now(),
      leaseUntil: null,
      lastError: null,
    });
    const select = manager
      .getRepository(SessionNotification)
      .createQueryBuilder('n')
      .where('n.id = :id', { id: key.notificationId });
    if (!isSqliteFamily(manager.connection)) select.setLock('pessimistic_write');
    await select.getOne();
    const delivered = await manager.getRepository(NotificationDelivery).find({
      where: { notificationId: key.notificationId, status: 'delivered' },
      order: { channel: 'ASC' },
    });
    await manager
      .getRepository(SessionNotification)
      .update({ id: key.notificationId }, { deliveredVia: delivered.map((row) => row.channel) });
  }
}
