import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import {
  checkAuditCheckpoint,
  checkAuditLink,
  latestAuditCheckpoint,
  readAuditBatch,
} from './audit-chain-verifier.js';
import { withChainLock } from './audit-chain-writer.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import { AUDIT_CONFIG, type ResolvedAuditConfig } from './audit-config.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventRecord } from './audit-event.types.js';
import { GENESIS_HASH, signAuditCheckpoint } from './audit-hmac.js';

/**
 * Options of {@link AuditRetentionService.prune}.
 *
 * @example
 * await retention.prune(ms('400d'), { archive: (events) => bucket.put(`audit-${events[0].seq}.json`, events) });
 */
export interface AuditPruneOptions {
  /**
   * Receives each batch in its stored form (encrypted fields stay encrypted, hashes included, so
   * the archive verifies on its own) before the batch is deleted. If it throws, nothing of that
   * batch is deleted. A crash between archiving and deleting archives the batch again on the next
   * run, so make it idempotent (key it by `seq`).
   */
  archive?: (events: AuditEventRecord[]) => Promise<void> | void;
  /** Events archived and deleted per transaction (default 500). */
  batchSize?: number;
}

/**
 * What a pruning run removed, and the checkpoint the remaining chain now starts from.
 *
 * @example
 * const { removed, checkpoint } = await retention.prune(ms('90d'));
 */
export interface AuditPruneResult {
  removed: number;
  checkpoint: { seq: number; hash: string } | null;
}

/**
 * Thrown when retention finds a broken link among the events it was about to delete: it refuses
 * to destroy evidence of tampering.
 *
 * @example
 * try { await retention.prune(ms('90d')); } catch (e) { if (e instanceof AuditChainBrokenError) page(e.brokenAt); }
 */
export class AuditChainBrokenError extends Error {
  constructor(
    readonly brokenAt: number,
    readonly reason: string,
  ) {
    super(`audit chain broken at ${brokenAt}: ${reason}; refusing to prune`);
    this.name = 'AuditChainBrokenError';
  }
}

/**
 * Removes the oldest audit events. Only a prefix of the chain is ever removed (events are cut
 * up to the first one that is not older than the cutoff), and each batch leaves a signed
 * checkpoint `{ seq, hash }` of its last event, so `verify()` keeps verifying what remains.
 *
 * @example
 * const { removed } = await retention.prune(365 * 24 * 3600 * 1000);
 */
@Injectable()
export class AuditRetentionService {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUDIT_CONFIG) private readonly config: ResolvedAuditConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Deletes (after handing them to `archive`, if given) the events older than `olderThanMs`,
   * verifying each batch's links first.
   *
   * @example
   * await retention.prune(90 * 24 * 3600 * 1000, { batchSize: 1000 });
   */
  async prune(olderThanMs: number, options: AuditPruneOptions = {}): Promise<AuditPruneResult> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new RangeError('olderThanMs: must be a non-negative number of milliseconds');
    }
    return this.pruneBefore(this.clock.now() - olderThanMs, options);
  }

  /**
   * {@link prune} with a fixed cutoff (epoch ms): removes the events recorded before `cutoff`.
   * Idempotent: a second run with the same cutoff finds nothing left to remove.
   *
   * @example
   * const cutoff = clock.now() - ms('90d');
   * await retention.pruneBefore(cutoff); // a retried run passes the same cutoff
   */
  async pruneBefore(cutoff: number, options: AuditPruneOptions = {}): Promise<AuditPruneResult> {
    if (!Number.isFinite(cutoff)) throw new RangeError('cutoff: must be a finite epoch in ms');
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError('batchSize: must be a positive integer');
    }
    const upTo = await this.lastPrunableSeq(cutoff);
    const result: AuditPruneResult = { removed: 0, checkpoint: null };
    for (;;) {
      const checkpoint = await latestAuditCheckpoint(this.dataSource);
      const from = checkpoint?.seq ?? 0;
      const batch = from < upTo ? await readAuditBatch(this.dataSource, from, upTo, batchSize) : [];
      if (batch.length === 0) return result;
      this.assertIntact(checkpoint, batch);
      await options.archive?.(batch.map((event) => ({ ...event })));
      const written = await withChainLock(this.dataSource, (manager) =>
        this.removeBatch(manager, from, batch),
      );
      if (written) {
        result.removed += batch.length;
        result.checkpoint = { seq: written.seq, hash: written.hash };
      }
    }
  }

  private async lastPrunableSeq(cutoff: number): Promise<number> {
    const events = this.dataSource.getRepository(AuditEvent);
    const recent = await events
      .createQueryBuilder('e')
      .select('MIN(e.seq)', 'seq')
      .where('e.at >= :cutoff', { cutoff })
      .getRawOne<{ seq: string | number | null }>();
    if (recent?.seq !== null && recent?.seq !== undefined) return Number(recent.seq) - 1;
    // Only old events: an append that commits between the two queries is recent and must stay.
    const last = await events
      .createQueryBuilder('e')
      .select('MAX(e.seq)', 'seq')
      .where('e.at < :cutoff', { cutoff })
      .getRawOne<{ seq: string | number | null }>();
    return Number(last?.seq ?? 0);
  }

  private assertIntact(checkpoint: AuditCheckpoint | null, batch: AuditEvent[]): void {
    let seq = checkpoint?.seq ?? 0;
    let prevHash = checkpoint?.hash ?? GENESIS_HASH;
    const cpProblem = checkpoint && checkAuditCheckpoint(checkpoint, this.config.keys);
    if (cpProblem) throw new AuditChainBrokenError(seq + 1, cpProblem);
    for (const event of batch) {
      const problem = checkAuditLink(event, seq + 1, prevHash, this.config.keys);
      if (problem) throw new AuditChainBrokenError(seq + 1, problem);
      seq = event.seq;
      prevHash = event.hash;
    }
  }

  private async removeBatch(
    manager: EntityManager,
    from: number,
    batch: AuditEvent[],
  ): Promise<AuditCheckpoint | null> {
    const current = await latestAuditCheckpoint(manager);
    if ((current?.seq ?? 0) !== from) return null;
    const last = batch[batch.length - 1];
    const deleted = await manager
      .createQueryBuilder()
      .delete()
      .from(AuditEvent)
      .where('seq > :from AND seq <= :to', { from, to: last.seq })
      .execute();
    if (deleted.affected !== batch.length) {
      throw new Error(
        `audit retention: expected to delete ${batch.length} events, not ${deleted.affected}`,
      );
    }
    const keyId = this.config.currentKeyId;
    const fields = {
      seq: last.seq,
      hash: last.hash,
      eventAt: last.at,
      createdAt: this.clock.now(),
      removed: batch.length,
      keyId,
    };
    const mac = signAuditCheckpoint(this.config.keys.get(keyId)!, fields);
    const checkpoint = Object.assign(new AuditCheckpoint(), fields, { mac });
    await manager.insert(AuditCheckpoint, checkpoint);
    return checkpoint;
  }
}
