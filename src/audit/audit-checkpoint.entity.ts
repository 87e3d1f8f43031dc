import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';
import { bigintNumber } from './audit-column.transformers.js';

/**
 * Written by retention each time it removes the oldest events (table `ss_audit_checkpoint`):
 * `seq` and `hash` of the last removed event, so `verify()` starts the remaining chain there.
 * `mac` signs the row with the audit key `keyId`, so a checkpoint cannot be forged to hide
 * deleted events.
 *
 * @example
 * const latest = await dataSource.getRepository(AuditCheckpoint).findOne({ where: {}, order: { seq: 'DESC' } });
 */
@Entity('ss_audit_checkpoint')
export class AuditCheckpoint {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  /** `at` of the last removed event. */
  @Column({ type: 'bigint', transformer: epochMs })
  eventAt!: number;

  /** When the pruning happened. */
  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;

  /** Events removed by this pruning run. */
  @Column({ type: 'integer' })
  removed!: number;

  @Column({ type: 'varchar', length: 64 })
  keyId!: string;

  @Column({ type: 'varchar', length: 64 })
  mac!: string;
}
