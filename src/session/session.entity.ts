import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';
import type { ClientFingerprint } from './client-fingerprint.js';
import type { SessionKind } from './session-kind.js';

/** A server-side session. The token is never stored: only its SHA-256 (`tokenHash`). */
@Entity('ss_session')
@Index('ss_session_user_idx', ['userId', 'createdAt'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('ss_session_token_hash_uq', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'integer', default: 0 })
  authzVersion!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  lastSeenAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  idleExpiresAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  absoluteExpiresAt!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  authenticatedAt!: number;

  @Column({ type: 'varchar', length: 32 })
  authLevel!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'simple-json' })
  data!: Record<string, any>;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  revokedReason!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  reauthRequiredAt!: number | null;

  /** `'standard'`, `'remembered'` (remember-me) or `'impersonation'`; see {@link SessionKind}. */
  @Column({ type: 'varchar', length: 16, default: 'standard' })
  kind!: SessionKind;

  /** When the current token was issued (sign-in or rotation); `null` on rows older than it. */
  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  tokenIssuedAt!: number | null;

  /** The last re-authentication made in this session (not its sign-in); `null` before one. */
  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  reauthenticatedAt!: number | null;

  /** The client the session was issued to (theft signals); `null` on rows older than it. */
  @Column({ type: 'simple-json', nullable: true })
  fingerprint!: ClientFingerprint | null;

  /** When a theft signal asked for step-up re-authentication; cleared by a re-authentication. */
  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  suspiciousChangeAt!: number | null;

  /** The user holding this impersonation session as `userId`; `null` on any other session. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  impersonatorId?: string | null;

  /** The impersonator's own session, from which the impersonation was started. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  impersonatorSessionId?: string | null;

  /** The reason the impersonator gave. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  impersonationReason?: string | null;
}
