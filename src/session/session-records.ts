import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan, Not, type DataSource } from 'typeorm';
import { serialTransaction } from '../common/serial-transaction.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { RetiredTokenEntity } from './retired-token.entity.js';
import { SessionEntity } from './session.entity.js';

/** What a rotation may change in the same write as the token (re-authentication, privilege change). */
export type SessionRotationChanges = Partial<
  Pick<
    SessionEntity,
    | 'authenticatedAt'
    | 'authLevel'
    | 'roles'
    | 'tenantId'
    | 'authzVersion'
    | 'reauthRequiredAt'
    | 'reauthenticatedAt'
    | 'data'
    | 'fingerprint'
    | 'suspiciousChangeAt'
  >
>;

/** The device a session was started from, as new-sign-in detection compares it. */
export type SignInOrigin = Pick<SessionEntity, 'ip' | 'userAgent'>;

/**
 * The session rows in the database, by intent: every read and write the services make of
 * `ss_session` outside a bulk job's transaction goes through here, one statement each, so the
 * services hold no repository and the round trips of a request stay countable here.
 *
 * @example
 * const rows = await records.listLive(userId, { except: currentSessionId });
 * await records.markRevoked(rows.map((r) => r.id), 'admin', clock.now());
 */
@Injectable()
export class SessionRecords {
  constructor(@Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(SessionEntity);
  }

  /** Stores a new session. */
  async insertSession(row: SessionEntity): Promise<void> {
    await this.rows.insert(row);
  }

  /** The row of a token hash, live or not; `null` for an unknown token. */
  findByTokenHash(tokenHash: string): Promise<SessionEntity | null> {
    return this.rows.findOneBy({ tokenHash });
  }

  /** A session by its public id while it is not revoked, optionally only if it is `userId`'s. */
  findLive(sessionId: string, userId?: string): Promise<SessionEntity | null> {
    return this.rows.findOneBy({
      id: sessionId,
      revokedAt: IsNull(),
      ...(userId ? { userId } : {}),
    });
  }

  /**
   * The user's sessions not revoked (expired ones included: the caller judges them), except
   * `except`. `newest` returns at most that many, newest first.
   */
  async listLive(
    userId: string,
    opts: { except?: string; newest?: number } = {},
  ): Promise<SessionEntity[]> {
    const rows = opts.newest
      ? await this.rows.find({
          where: { userId, revokedAt: IsNull() },
          order: { createdAt: 'DESC' },
          take: opts.newest,
        })
      : await this.rows.findBy({ userId, revokedAt: IsNull() });
    return opts.except === undefined ? rows : rows.filter((r) => r.id !== opts.except);
  }

  /**
   * The user and role snapshot of every session neither revoked nor expired at `now` (one entry
   * per session; a policy change asks which of them lose permissions).
   */
  liveRoles(now: number): Promise<Pick<SessionEntity, 'userId' | 'roles'>[]> {
    return this.rows.find({
      select: { userId: true, roles: true },
      where: {
        revokedAt: IsNull(),
        idleExpiresAt: MoreThan(now),
        absoluteExpiresAt: MoreThan(now),
      },
    });
  }

  /** Every session neither revoked nor expired at `now`, newest first, at most `limit`. */
  liveSessions(now: number, limit: number): Promise<SessionEntity[]> {
    return this.rows.find({
      where: {
        revokedAt: IsNull(),
        idleExpiresAt: MoreThan(now),
        absoluteExpiresAt: MoreThan(now),
      },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  /** Id and token hash of each of the user's sessions not revoked yet. */
  liveTokens(userId: string): Promise<Pick<SessionEntity, 'id' | 'tokenHash'>[]> {
    return this.rows.find({
      select: { id: true, tokenHash: true },
      where: { userId, revokedAt: IsNull() },
    });
  }

  /** The impersonation sessions `impersonatorId` holds that are not revoked. */
  liveImpersonationsBy(
    impersonatorId: string,
  ): Promise<Pick<SessionEntity, 'id' | 'tokenHash' | 'userId'>[]> {
    return this.rows.find({
      select: { id: true, tokenHash: true, userId: true },
      where: { impersonatorId, revokedAt: IsNull() },
    });
  }

  /** Marks the sessions revoked at `at` (those not revoked already); returns how many it marked. */
  async markRevoked(ids: string[], reason: string, at: number): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.rows.update(
      { id: In(ids), revokedAt: IsNull() },
      { revokedAt: at, revokedReason: reason.slice(0, 64) },
    );
    return result.affected ?? 0;
  }

  /** Marks the session of a token ended at `at` (e.g. `expired_idle`); `false` if it had ended. */
  async endToken(tokenHash: string, reason: string, at: number): Promise<boolean> {
    const result = await this.rows.update(
      { tokenHash, revokedAt: IsNull() },
      { revokedAt: at, revokedReason: reason.slice(0, 64) },
    );
    return !!result.affected;
  }

  /**
   * Gives a live session a new token hash (and `changes`) in one write and returns the new row;
   * `null` when the old token is no longer live (ended, or rotated by a concurrent request). A
   * remembered session's old hash is kept as retired in the same transaction, for replay
   * detection; the conditional update lets exactly one of concurrent rotations win.
   */
  rotateToken(
    tokenHash: string,
    newHash: string,
    changes: SessionRotationChanges,
    at: number,
  ): Promise<SessionEntity | null> {
    return serialTransaction(this.dataSource, async (manager) => {
      const rows = manager.getRepository(SessionEntity);
      const result = await rows.update(
        { tokenHash, revokedAt: IsNull() },
        { ...changes, tokenHash: newHash, lastSeenAt: at, tokenIssuedAt: at },
      );
      if (!result.affected) return null;
      const row = await rows.findOneByOrFail({ tokenHash: newHash });
      if (row.kind === 'remembered') {
        await manager.getRepository(RetiredTokenEntity).insert({
          tokenHash,
          sessionId: row.id,
          userId: row.userId,
          retiredAt: at,
          expiresAt: row.absoluteExpiresAt,
        });
      }
      return row;
    });
  }

  /**
   * Writes what a theft signal decided for a live session: a re-bound fingerprint (`record`) or
   * a pending step-up (`suspiciousChangeAt`); `false` if it had ended meanwhile.
   */
  async updateSignals(
    tokenHash: string,
    changes: Pick<SessionRotationChanges, 'fingerprint' | 'suspiciousChangeAt'>,
  ): Promise<boolean> {
    const result = await this.rows.update({ tokenHash, revokedAt: IsNull() }, changes);
    return !!result.affected;
  }

  /** Records activity on a live session; `false` if it had ended meanwhile. */
  async touch(tokenHash: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean> {
    const result = await this.rows.update(
      { tokenHash, revokedAt: IsNull() },
      { lastSeenAt, idleExpiresAt },
    );
    return !!result.affected;
  }

  /** Why the session of a token ended (`revokedReason`), `null` when unknown or not ended. */
  async endedReason(tokenHash: string): Promise<string | null> {
    const row = await this.rows.findOne({
      select: { id: true, revokedReason: true },
      where: { tokenHash },
    });
    return row?.revokedReason ?? null;
  }

  /** Where the user's `n` newest sessions other than `exceptId` were started, newest first. */
  recentSignIns(userId: string, exceptId: string, n: number): Promise<SignInOrigin[]> {
    return this.rows.find({
      select: { ip: true, userAgent: true },
      where: { userId, id: Not(exceptId) },
      order: { createdAt: 'DESC' },
      take: n,
    });
  }
}
