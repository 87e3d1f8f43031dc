import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/** Where the bookkeeping of one permission change stands. */
export type PermissionChangeState = 'pending' | 'done' | 'failed';

/**
 * One permission change of one user (table `ss_permission_change`), written in the same
 * transaction that raises the user's `authzVersion`. It is the source of truth of the change's
 * background job: `pending` until the job has marked the sessions, notified the user and audited
 * the outcome, so unfinished work is found again after any crash or restart.
 *
 * @example
 * const pending = await dataSource.getRepository(PermissionChangeEntity).findBy({ state: 'pending' });
 */
@Entity('ss_permission_change')
@Index('ss_permission_change_state_idx', ['state', 'changedAt'])
export class PermissionChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  userId!: string;

  /** The user's permission version this change raised it to. */
  @PrimaryColumn({ type: 'integer' })
  authzVersion!: number;

  @Column({ type: 'varchar', length: 256 })
  reason!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  actor!: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  changedAt!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: PermissionChangeState;

  /** Session rows this change marked `reauthRequiredAt` (each counted once, across retries). */
  @Column({ type: 'integer', default: 0 })
  markedSessions!: number;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  finishedAt!: number | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  error!: string | null;
}
