import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { isSqliteFamily, serialTransaction } from '../common/serial-transaction.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import {
  decideSessionLimit,
  SESSION_LIMIT_REASON,
  type SessionLimitPolicy,
} from './session-limit.js';
import { SessionUserStateEntity } from './session-user-state.entity.js';
import { SessionEntity } from './session.entity.js';

/** What {@link SessionLimiter.insert} did: stored the session (ending `ended`), or refused it. */
export type LimitOutcome =
  { admitted: true; ended: SessionEntity[] } | { admitted: false; liveSessions: number };

/**
 * Filters the user's unrevoked, unexpired rows to those still live (no revocation marker ended
 * them), reading with `db`: the limit's transaction, so it needs no second connection.
 */
export type LiveFilter = (rows: SessionEntity[], db: EntityManager) => Promise<SessionEntity[]>;

/**
 * Stores a new session under the user's concurrent-session limit, race-free across instances:
 * one transaction takes the user's lock — the `ss_session_user_state` row, created if missing,
 * then locked `FOR UPDATE` on PostgreSQL (on SQLite the insert itself takes the database's write
 * lock, and the module's transactions in a process take turns) — counts the user's live
 * sessions, ends the oldest or refuses, and inserts the new row before it commits. Concurrent
 * sign-ins of one user therefore run one after the other, each seeing the ones before it.
 *
 * @example
 * const outcome = await limiter.insert(row, 3, 'end-oldest', (rows) => Promise.resolve(rows));
 */
@Injectable()
export class SessionLimiter {
  constructor(@Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Inserts `row` if the user has fewer than `max` live sessions, or after ending the oldest. */
  insert(
    row: SessionEntity,
    max: number,
    policy: SessionLimitPolicy,
    stillLive: LiveFilter,
  ): Promise<LimitOutcome> {
    return serialTransaction(this.dataSource, async (manager) => {
      await this.lockUser(manager, row.userId, row.createdAt);
      const now = row.createdAt;
      const open = await manager.getRepository(SessionEntity).findBy({
        userId: row.userId,
        revokedAt: IsNull(),
        idleExpiresAt: MoreThan(now),
        absoluteExpiresAt: MoreThan(now),
      });
      const decision = decideSessionLimit(await stillLive(open, manager), max, policy);
      if (!decision.allowed) return { admitted: false, liveSessions: decision.liveSessions };
      if (decision.end.length > 0) {
        await manager
          .getRepository(SessionEntity)
          .update(
            { id: In(decision.end.map((r) => r.id)), revokedAt: IsNull() },
            { revokedAt: now, revokedReason: SESSION_LIMIT_REASON },
          );
      }
      await manager.getRepository(SessionEntity).insert(row);
      return { admitted: true, ended: decision.end };
    });
  }

  /** Holds the user's state row until the transaction ends (creating it, version 0, if new). */
  private async lockUser(manager: EntityManager, userId: string, now: number): Promise<void> {
    const states = manager.getRepository(SessionUserStateEntity);
    await states
      .createQueryBuilder()
      .insert()
      .values({ userId, authzVersion: 0, notBefore: null, disabledAt: null, updatedAt: now })
      .orIgnore()
      .execute();
    if (isSqliteFamily(this.dataSource)) return;
    await states
      .createQueryBuilder('s')
      .select('s.userId')
      .setLock('pessimistic_write')
      .where('s.userId = :userId', { userId })
      .getOne();
  }
}
