import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';
import { bigintNumber, jsonText } from './audit-column.transformers.js';
import type { AuditEventRecord } from './audit-event.types.js';

/** Column lengths, shared by the entity, the migration and the write path (which truncates). */
export const AUDIT_COLUMN_LENGTHS = {
  type: 64,
  actor: 128,
  userId: 128,
  sessionId: 64,
  ip: 64,
  userAgent: 512,
  action: 128,
  resource: 256,
  outcome: 32,
  keyId: 64,
  hash: 64,
} as const;

const L = AUDIT_COLUMN_LENGTHS;

/**
 * One link of the tamper-evident audit chain (table `ss_audit_event`). Rows are append-only:
 * `seq` is assigned under the chain lock, gapless from 1; `hash` is the HMAC of the row's
 * canonical form plus `prevHash`, the previous row's hash.
 *
 * @example
 * const rows = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' }, take: 10 });
 */
@Entity('ss_audit_event')
@Index('ss_audit_event_user_idx', ['userId', 'seq'])
@Index('ss_audit_event_type_idx', ['type', 'seq'])
export class AuditEvent implements AuditEventRecord {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  at!: number;

  @Column({ type: 'varchar', length: L.type })
  type!: string;

  @Column({ type: 'varchar', length: L.actor, nullable: true })
  actor!: string | null;

  @Column({ type: 'varchar', length: L.userId, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: L.sessionId, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: L.ip, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: L.userAgent, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: L.action, nullable: true })
  action!: string | null;

  @Column({ type: 'varchar', length: L.resource, nullable: true })
  resource!: string | null;

  @Column({ type: 'varchar', length: L.outcome })
  outcome!: string;

  @Column({ type: 'text', transformer: jsonText })
  details!: Record<string, unknown>;

  @Column({ type: 'varchar', length: L.keyId })
  keyId!: string;

  @Column({ type: 'varchar', length: L.hash })
  prevHash!: string;

  @Column({ type: 'varchar', length: L.hash })
  hash!: string;
}
