import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * A cache invalidation that could not reach Redis. Every instance applies it to Redis within
 * the freshness bound (see `CacheInvalidationWatch`) and at startup, and it is replayed before an
 * instance that saw Redis fail trusts it again, so no stale snapshot revives an ended session.
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

  /** Position in the database's invalidation sequence; rows commit in this order. */
  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  seq!: number | null;
}
