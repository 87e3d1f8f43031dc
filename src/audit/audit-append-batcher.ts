import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { AUDIT_HEAD_ID, AuditChainHead } from './audit-chain-head.entity.js';
import type { ResolvedAuditConfig } from './audit-config.js';
import type { AuditEventDraft } from './audit-event-draft.js';
import { AuditEvent } from './audit-event.entity.js';
import { signAuditEvent } from './audit-hmac.js';

/** Events per chain transaction; rows per INSERT stay under SQLite's 999 bound parameters. */
const MAX_BATCH = 500;
const ROWS_PER_INSERT = 40;

/** Runs work as the chain's only writer, with the head row locked (`withChainLock`). */
export type ChainLock = <T>(
  work: (manager: EntityManager, head: AuditChainHead) => Promise<T>,
) => Promise<T>;

interface PendingAppend {
  draft: AuditEventDraft;
  now: number;
  resolve(event: AuditEvent): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one chain: appends that arrive while a chain transaction runs wait for it and
 * then go together in the next one (one head lock, one head update), so a burst of audited
 * requests costs a few transactions instead of one each. Nothing waits on a timer: an append with
 * nothing before it starts at once. Each promise resolves only after its event is committed; if a
 * shared transaction fails, its events are tried again one by one, so one bad event never takes
 * the others down with it.
 *
 * @example
 * const batcher = new AuditAppendBatcher((work) => withChainLock(dataSource, work), config);
 * const event = await batcher.append(draft, clock.now());
 */
export class AuditAppendBatcher {
  private pending: PendingAppend[] = [];
  /** Set and cleared inside {@link drain} itself, so no append can land between two drains. */
  private draining = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly lock: ChainLock,
    private readonly config: ResolvedAuditConfig,
  ) {}

  append(draft: AuditEventDraft, now: number): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.pending.push({ draft, now, resolve, reject });
      if (!this.draining) this.drained = this.drain();
    });
  }

  /** Resolves once every append handed in so far has been committed or refused. */
  async settled(): Promise<void> {
    while (this.draining) await this.drained;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          await this.commit(batch);
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else
            for (const one of batch) await this.commit([one]).catch((e: unknown) => one.reject(e));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    const events = await this.lock(async (manager, head) => {
      const keyId = this.config.currentKeyId;
      const key = this.config.keys.get(keyId)!;
      let { seq, hash } = head;
      const signed = batch.map(({ draft }) => {
        const fields = { ...draft, seq: ++seq, keyId };
        const event = Object.assign(new AuditEvent(), fields, {
          prevHash: hash,
          hash: signAuditEvent(key, fields, hash),
        });
        hash = event.hash;
        return event;
      });
      for (let i = 0; i < signed.length; i += ROWS_PER_INSERT) {
        const rows = signed.slice(i, i + ROWS_PER_INSERT);
        await manager.insert(AuditEvent, rows as QueryDeepPartialEntity<AuditEvent>[]);
      }
      const updatedAt = batch[batch.length - 1].now;
      await manager.update(AuditChainHead, { id: AUDIT_HEAD_ID }, { seq, hash, updatedAt });
      return signed;
    });
    batch.forEach((item, i) => item.resolve(events[i]));
  }
}
