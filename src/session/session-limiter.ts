import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { isSqliteFamily, serialTransaction } from '../common/serial-transaction.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { TooManySessionsException } from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { SessionEvents } from './session-events.js';
import {
  decideSessionLimit,
  SESSION_LIMIT_REASON,
  sessionLimitFor,
  type LimitDecision,
} from './session-limit.js';
import { SessionRecords } from './session-records.js';
import { SessionStore } from './session-store.js';
import { SessionUserStateEntity } from './session-user-state.entity.js';
import { ensureUserState } from './user-state-records.js';
import { SessionEntity } from './session.entity.js';

/**
 * Stores new sessions under the concurrent-session limit (`session.limit`), race-free across
 * instances: one transaction takes the user's lock — the `ss_session_user_state` row, created if
 * missing, then locked `FOR UPDATE` on PostgreSQL (on SQLite the insert itself takes the
 * database's write lock, and the module's transactions in a process take turns) — counts the
 * user's live sessions, ends the oldest or refuses, and inserts the new row before it commits.
 * Concurrent sign-ins of one user therefore run one after the other, each seeing the ones before.
 *
 * @example
 * const ended = await limiter.admit(row); // null: no limit applies to the user
 * if (ended) await limiter.announce(row, ended);
 */
@Injectable()
export class SessionLimiter {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly records: SessionRecords,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /**
   * Stores `row`: as is without a limit for the user, or when it is an impersonation session
   * (support staff acting as the user neither take one of the user's places nor sign them out;
   * returns `null`), else under the limit —
   * returning the sessions it ended, whose tokens are dead on every instance when this returns.
   *
   * @throws TooManySessionsException (409) at the limit under `refuse-new`; nothing is stored
   */
  async admit(row: SessionEntity): Promise<SessionEntity[] | null> {
    const limit = this.options.session.limit;
    const max = sessionLimitFor(row.roles, limit);
    if (max === null || !limit || row.kind === 'impersonation') {
      await this.records.insertSession(row);
      return null;
    }
    const decision = await this.insertUnderLock(row, max, limit.policy);
    if (!decision.allowed) {
      await this.events.emit({
        type: 'session.limit_refused',
        userId: row.userId,
        ip: row.ip,
        userAgent: row.userAgent,
        outcome: 'denied',
        details: { policy: 'refuse-new', limit: max, liveSessions: decision.liveSessions },
      });
      throw new TooManySessionsException(max);
    }
    await this.store.endTokens(decision.end.map((r) => r.tokenHash));
    return decision.end;
  }

  /** Records what a sign-in ended under the limit: each session's revocation, then the decision. */
  async announce(row: SessionEntity, ended: SessionEntity[]): Promise<void> {
    if (ended.length === 0) return;
    for (const old of ended) {
      await this.events.emit({
        type: 'session.revoked',
        userId: old.userId,
        sessionId: old.id,
        outcome: 'success',
        details: { reason: SESSION_LIMIT_REASON, replacedBy: row.id },
      });
    }
    await this.events.emit({
      type: 'session.limit_enforced',
      userId: row.userId,
      sessionId: row.id,
      ip: row.ip,
      userAgent: row.userAgent,
      outcome: 'success',
      details: {
        policy: 'end-oldest',
        limit: sessionLimitFor(row.roles, this.options.session.limit) ?? 0,
        endedSessions: ended.map((r) => r.id),
      },
    });
  }

  /** The limit's transaction: lock the user, judge their live sessions, end or refuse, insert. */
  private insertUnderLock(
    row: SessionEntity,
    max: number,
    policy: 'end-oldest' | 'refuse-new',
  ): Promise<LimitDecision<SessionEntity>> {
    return serialTransaction(this.dataSource, async (manager) => {
      const now = row.createdAt;
      await this.lockUser(manager, row.userId, now);
      const sessions = manager.getRepository(SessionEntity);
      const open = await sessions.findBy({
        userId: row.userId,
        revokedAt: IsNull(),
        idleExpiresAt: MoreThan(now),
        absoluteExpiresAt: MoreThan(now),
      });
      const own = open.filter((r) => r.kind !== 'impersonation');
      const live = await this.store.liveRows(own, now, manager);
      const decision = decideSessionLimit(live, max, policy);
      if (!decision.allowed) return decision;
      if (decision.end.length > 0) {
        await sessions.update(
          { id: In(decision.end.map((r) => r.id)), revokedAt: IsNull() },
          { revokedAt: now, revokedReason: SESSION_LIMIT_REASON },
        );
      }
      await sessions.insert(row);
      return decision;
    });
  }

  /** Holds the user's state row until the transaction ends (creating it, version 0, if new). */
  private async lockUser(manager: EntityManager, userId: string, now: number): Promise<void> {
    await ensureUserState(manager, userId, now);
    if (isSqliteFamily(this.dataSource)) return;
    await manager
      .getRepository(SessionUserStateEntity)
      .createQueryBuilder('s')
      .select('s.userId')
      .setLock('pessimistic_write')
      .where('s.userId = :userId', { userId })
      .getOne();
  }
}
