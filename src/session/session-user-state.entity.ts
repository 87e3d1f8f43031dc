import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * Per-user markers checked on every request: `authzVersion` rises when the user's permissions
 * change (older sessions must re-authenticate); `disabledAt` refuses sign-in.
 */
@Entity('ss_session_user_state')
export class SessionUserStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'integer', default: 0 })
  authzVersion!: number;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  notBefore!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  disabledAt!: number | null;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
