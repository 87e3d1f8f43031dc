import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * A cache invalidation that could not reach Redis. It is replayed before any instance trusts
 * Redis again, so a store that comes back with old entries never revives an ended session.
 */
@Entity('ss_cache_outbox')
export class CacheOutboxEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'tombstone' | 'epochs';

  @Column({ type: 'simple-json' })
  payload!: { hashes?: string[]; ttlMs?: number; entries?: Record<string, number> };

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
