import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { appendAuditEvent, chainWritesSettled } from './audit-chain-writer.js';
import { verifyAuditChain } from './audit-chain-verifier.js';
import { AUDIT_CONFIG, type ResolvedAuditConfig } from './audit-config.js';
import { draftAuditEvent } from './audit-event-draft.js';
import { AuditEvent } from './audit-event.entity.js';
import type {
  AuditEventInput,
  AuditEventRecord,
  AuditListQuery,
  AuditVerifyOptions,
  AuditVerifyResult,
} from './audit-event.types.js';
import { decryptDetails } from './audit-field-cipher.js';
import { SessionActors } from '../session/session-actors.js';

const MAX_PAGE = 1000;

/**
 * The tamper-evident audit log. `record()` appends synchronously: when its promise resolves, the
 * event is committed (nothing waits in memory), and if it rejects, nothing was stored. Appends
 * from every app instance are serialised on the chain head row, so the chain never forks.
 *
 * @example
 * await audit.record({ type: 'session.revoked', actor: 'admin-1', userId: 'u-42', outcome: 'success' });
 * const result = await audit.verify(); // { ok: true, checked: 1 }
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUDIT_CONFIG) private readonly config: ResolvedAuditConfig,
    @Inject(Clock) private readonly clock: Clock,
    @Optional() private readonly actors?: SessionActors,
  ) {}

  /**
   * Appends one event to the chain. Credential-named `details` keys are dropped (and listed in
   * `details.redacted`); `encryptFields` are encrypted. Rejects if the event could not be
   * committed, so a caller that must not act unaudited can stop. An event of an impersonation
   * session (by `sessionId`) names both actors: `actor` is the impersonator, `userId` the user,
   * and `details.impersonatedBy` says it again.
   *
   * @example
   * await audit.record({ type: 'login.failed', userId: 'u-42', ip, outcome: 'failure' });
   */
  async record(event: AuditEventInput): Promise<void> {
    const named = this.actors ? await this.actors.name(event) : event;
    const draft = draftAuditEvent(named, this.clock.now(), this.config);
    await appendAuditEvent(this.dataSource, this.config, draft, this.clock.now());
  }

  /**
   * Walks the chain in sequence order, `batchSize` events per query, and reports the first
   * broken link: an edited, deleted, reordered or forged event, or events cut off the end.
   *
   * @example
   * const result = await audit.verify();
   * if (!result.ok) alert(`audit log tampered with at #${result.brokenAt}: ${result.reason}`);
   */
  verify(options: AuditVerifyOptions = {}): Promise<AuditVerifyResult> {
    return verifyAuditChain(this.dataSource, this.config, options.batchSize ?? 500);
  }

  /**
   * Events newest first, optionally of one user and/or type, with encrypted fields decrypted.
   * Page with `beforeSeq` = the smallest `seq` of the previous page.
   *
   * @example
   * const failures = await audit.list({ type: 'login.failed', limit: 20 });
   */
  async list(query: AuditListQuery = {}): Promise<AuditEventRecord[]> {
    const limit = checkCount(query.limit ?? 50, 'limit');
    const select = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .orderBy('e.seq', 'DESC')
      .limit(limit);
    if (query.userId !== undefined) select.andWhere('e.userId = :userId', { userId: query.userId });
    if (query.type !== undefined) select.andWhere('e.type = :type', { type: query.type });
    if (query.beforeSeq !== undefined) {
      select.andWhere('e.seq < :beforeSeq', { beforeSeq: checkSeq(query.beforeSeq) });
    }
    return (await select.getMany()).map((event) => this.reveal(event));
  }

  /**
   * The newest `n` events, oldest first (like `tail -n`), with encrypted fields decrypted.
   *
   * @example
   * for (const event of await audit.tail(10)) console.log(event.seq, event.type);
   */
  async tail(n: number): Promise<AuditEventRecord[]> {
    return (await this.list({ limit: checkCount(n, 'n') })).reverse();
  }

  /** Waits for appends already under way, so a shutdown loses none of them. */
  async onApplicationShutdown(): Promise<void> {
    await chainWritesSettled(this.dataSource);
  }

  private reveal(event: AuditEvent): AuditEventRecord {
    return { ...event, details: decryptDetails(event.details, this.config.encryption) };
  }
}

function checkCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE) {
    throw new RangeError(`${name}: must be an integer from 1 to ${MAX_PAGE}`);
  }
  return value;
}

function checkSeq(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError('beforeSeq: must be a positive integer');
  }
  return value;
}
