import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';
import { bigintNumber } from './audit-column.transformers.js';

/** Id of the single row of `ss_audit_head`. */
export const AUDIT_HEAD_ID = 'chain';

/**
 * The single row (table `ss_audit_head`) that records the newest link of the chain. Appends lock
 * it (`SELECT ... FOR UPDATE` on PostgreSQL) so writers on every app instance take turns, and
 * `verify()` compares it with the last stored event to notice events cut off the end.
 *
 * @example
 * const head = await dataSource.getRepository(AuditChainHead).findOneBy({ id: AUDIT_HEAD_ID });
 */
@Entity('ss_audit_head')
export class AuditChainHead {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  id!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
