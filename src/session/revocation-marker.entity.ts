import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/** What a revocation marker covers. */
export type RevocationScope = 'all' | 'tenant' | 'role' | 'user';

/**
 * "Every session of this scope created at or before `notBefore` is revoked": one row makes a
 * bulk revocation effective at once, whatever the number of sessions it covers.
 */
@Entity('ss_revocation_marker')
export class RevocationMarkerEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  scope!: RevocationScope;

  /** The tenant id, role name or user id; `'*'` for scope `all`. */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  value!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  notBefore!: number;

  @Column({ type: 'varchar', length: 256 })
  reason!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  actor!: string | null;
}
