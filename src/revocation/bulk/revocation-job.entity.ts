import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../common/epoch-ms.transformer.js';
import type { RevocationFilter } from './revocation-filter.js';
import type { RevocationEffect } from './revocation-plan.js';

/**
 * Where a bulk revocation job is.
 *
 * @example const done: RevocationJobState[] = ['completed', 'failed', 'cancelled'];
 */
export type RevocationJobState = 'waiting' | 'active' | 'completed' | 'failed' | 'cancelled';

/**
 * One bulk revocation: its filter, its counts and the keyset cursor (the id of the last session
 * it looked at), so a worker that dies mid-job resumes after the last committed batch.
 *
 * @example
 * const job = await dataSource.getRepository(RevocationJobEntity).findOneBy({ id });
 */
@Entity('ss_revocation_job')
@Index('ss_revocation_job_created_idx', ['createdAt'])
@Index('ss_revocation_job_idempotency_idx', ['idempotencyKey'], { unique: true })
export class RevocationJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'simple-json' })
  filter!: RevocationFilter;

  @Column({ type: 'varchar', length: 256 })
  reason!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  actor!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: RevocationJobState;

  @Column({ type: 'varchar', length: 16 })
  effect!: RevocationEffect;

  /** Live sessions that matched when the job was started. */
  @Column({ type: 'integer', default: 0 })
  matched!: number;

  /** Sessions this job (or its markers' row marking) actually revoked. */
  @Column({ type: 'integer', default: 0 })
  revoked!: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  cursor!: string | null;

  /** Only sessions created at or before this instant are revoked (later sign-ins stay). */
  @Column({ type: 'bigint', transformer: epochMs })
  cutoffAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: number;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  finishedAt!: number | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  error!: string | null;

  /** SHA-256 (hex) of the actor and the `Idempotency-Key` that started the job, if one was given. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  idempotencyKey!: string | null;

  /** SHA-256 (hex) of the filter and reason of that request: a reused key must match it. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;
}
