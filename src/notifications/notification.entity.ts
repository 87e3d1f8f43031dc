import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * One notification for one user (table `ss_notification`). The row is the in-app inbox entry;
 * `dedupeKey` is unique, so the same event notified twice stays one row. `deliveredVia` lists the
 * channels that have delivered it (kept in step with `ss_notification_delivery`).
 *
 * @example
 * const unread = await dataSource.getRepository(SessionNotification).findBy({ userId: 'u-42', readAt: IsNull() });
 */
@Entity('ss_notification')
@Index('ss_notification_user_idx', ['userId', 'createdAt'])
export class SessionNotification {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'simple-json' })
  payload!: Record<string, unknown>;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  readAt!: number | null;

  @Column({ type: 'simple-json' })
  deliveredVia!: string[];

  @Index('ss_notification_dedupe_uq', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  dedupeKey!: string;
}
