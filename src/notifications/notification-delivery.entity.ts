import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/** Where one delivery of a notification through one channel stands. */
export type NotificationDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/**
 * The delivery of one notification through one channel (table `ss_notification_delivery`). The
 * primary key `(notificationId, channel)` makes "at most one delivery per channel" a database
 * fact; a worker claims the row (`status = 'sending'` until `leaseUntil`) before it calls the
 * channel, so a job processed twice, even at the same time, delivers once.
 *
 * @example
 * const rows = await dataSource.getRepository(NotificationDelivery).findBy({ notificationId: id });
 */
@Entity('ss_notification_delivery')
export class NotificationDelivery {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  notificationId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  channel!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: NotificationDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'varchar', length: 512, nullable: true })
  lastError!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  deliveredAt!: number | null;

  /** While `status` is `sending`: until when the claiming worker owns the row. */
  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  leaseUntil!: number | null;
}
