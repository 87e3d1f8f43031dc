import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * A username + IP that used up its sign-in attempts, until when. Written when the limit is
 * reached, so the lockout outlives a Redis that lost its data (the attempt counts live in Redis).
 */
@Entity('ss_login_lockout')
export class LoginLockoutEntity {
  /** The limiter key: a hash of the normalised username, then the client IP. */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  key!: string;

  @Column({ name: 'lockedUntil', type: 'bigint', transformer: epochMs })
  lockedUntil!: number;
}
