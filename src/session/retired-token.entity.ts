import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * A token a remembered session had before it rotated: the SHA-256 of the token (never the
 * token), the session it belonged to and when it was replaced. Presented within the replay grace
 * window it still reaches its session (a parallel tab); later it is a replay and ends the session.
 * Kept until the session's absolute expiry.
 */
@Entity('ss_retired_token')
@Index('ss_retired_token_expires_idx', ['expiresAt'])
export class RetiredTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  retiredAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  expiresAt!: number;
}
