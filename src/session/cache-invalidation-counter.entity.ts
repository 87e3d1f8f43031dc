import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../common/epoch-ms.transformer.js';

/**
 * The single row (`id` 1) holding the last number of the cache invalidation sequence. Writers
 * raise it in the transaction that inserts their outbox row, so the row lock makes outbox rows
 * commit in sequence order and a reader that saw number n has seen every row below n.
 */
@Entity('ss_cache_invalidation')
export class CacheInvalidationCounterEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  seq!: number;
}
