import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock.js';
import type { RevokedReason } from '../errors/denial-codes.js';
import { SessionRevokedException } from '../errors/session-security.exception.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { SessionEvents } from './session-events.js';
import { SESSION_LIMIT_REASON, sessionLimitFor, type SessionLimitPolicy } from './session-limit.js';
import { SessionLimiter } from './session-limiter.js';
import {
  SUSPICIOUS_CHANGE_REASON,
  TOKEN_REPLAYED_REASON,
  type SessionKind,
} from './session-kind.js';
import { fingerprintOf } from './client-fingerprint.js';
import { SessionSignals } from './session-signals.js';
import { RememberedTokens, type PresentedFrom } from './remembered-tokens.js';
import { SessionRecords, type SessionRotationChanges } from './session-records.js';
import { SessionStore } from './session-store.js';
import { generateToken, hashToken, isWellFormedToken } from './session-token.js';
import type { SessionUserStateEntity } from './session-user-state.entity.js';
import { judgeSession } from './session-validity.js';
import type { SessionEntity } from './session.entity.js';
import { toActiveSession } from './session.mapper.js';
import { UserStateRecords } from './user-state-records.js';
import type { ActiveSession, Impersonator, SessionPrincipal } from './session.types.js';

/** A session together with its secret token, returned only when a token is (re)issued. */
export interface IssuedSession {
  session: ActiveSession;
  /** The secret: hand it to the client once (cookie); it is never stored. */
  token: string;
  tokenHash: string;
}

/** Request metadata recorded with a new session. */
export interface SessionOrigin {
  ip?: string | null;
  userAgent?: string | null;
  authLevel?: string;
  data?: Record<string, unknown>;
  /**
   * `'remembered'` for a remember-me sign-in: the lifetime of `session.rememberMe`, never fresh
   * authentication, a token that rotates on use (default `'standard'`).
   */
  kind?: 'standard' | 'remembered';
  /**
   * The client's country at sign-in (ISO 3166-1 alpha-2, from the `GeoResolver`; `SessionLogin`
   * fills it): part of the fingerprint theft signals compare requests with. Without it the
   * first request that has a country records one.
   */
  country?: string | null;
}

/** What {@link SessionService.create} needs beyond a sign-in's origin for an impersonation session. */
export interface ImpersonationOrigin extends Omit<SessionOrigin, 'kind'> {
  kind: 'impersonation';
  /** The impersonator and why; the chain is `impersonatedBy.userId` → the principal. */
  impersonatedBy: Impersonator;
  /** The session's whole lifetime, in ms: it ends this long after it starts, however it is used. */
  lifetimeMs: number;
}

/** Outcome of validating a presented token. */
export type SessionValidation =
  | {
      ok: true;
      session: ActiveSession;
      tokenHash: string;
      reauth: 'permissions_changed' | 'suspicious_change' | null;
      /** The token was a remembered session's previous one, within the replay grace window. */
      graced?: boolean;
    }
  | {
      ok: false;
      code: 'session_required' | 'session_expired' | 'session_revoked';
      /** Why a `session_revoked` session ended, when the user is told (see {@link RevokedReason}). */
      reason?: RevokedReason;
    };

/** What {@link SessionService.report} is told about the report. */
export interface SessionReport {
  /** The reporting user: only their own sessions can be reported. */
  userId: string;
  /** The session the report was made from; kept when `endOtherSessions` ends the rest. */
  reporterSessionId?: string | null;
  /** Also end every other session of the user but the reporter's (default `false`). */
  endOtherSessions?: boolean;
  ip?: string | null;
  userAgent?: string | null;
}

/** Thrown by {@link SessionService.create} for a user whose account is disabled. */
export class AccountDisabledError extends Error {
  constructor(userId: string) {
    super(`account ${userId} is disabled`);
  }
}

/**
 * Creates, validates, rotates and ends sessions. Tokens are 256-bit random values stored only as
 * SHA-256 hashes; every state change is written to the database before the cache.
 *
 * @example
 * const { token } = await sessions.create(user, { ip, userAgent, authLevel: 'password' });
 */
@Injectable()
export class SessionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionSecurity');
  private readonly touching = new Set<string>();

  constructor(
    private readonly store: SessionStore,
    private readonly records: SessionRecords,
    private readonly states: UserStateRecords,
    private readonly limiter: SessionLimiter,
    private readonly remembered: RememberedTokens,
    private readonly signals: SessionSignals,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.rebuildEpochs();
  }

  /**
   * Starts a session with a fresh token; a token presented by the client is never adopted. Under
   * a concurrent-session limit (`session.limit`) the user's oldest sessions end to make room
   * (`end-oldest`), or the sign-in is refused (`refuse-new`).
   *
   * @throws AccountDisabledError for a disabled user
   * @throws TooManySessionsException (409 `too_many_sessions`) at the limit under `refuse-new`
   */
  async create(
    principal: SessionPrincipal,
    origin: SessionOrigin | ImpersonationOrigin = {},
  ): Promise<IssuedSession> {
    const userId = String(principal.id);
    const state = await this.userState(userId);
    if (principal.disabled || state?.disabledAt) throw new AccountDisabledError(userId);
    const now = this.clock.now();
    const kind: SessionKind = origin.kind ?? 'standard';
    const { idleTimeoutMs, absoluteTimeoutMs } =
      origin.kind === 'impersonation'
        ? {
            idleTimeoutMs: this.options.session.idleTimeoutMs,
            absoluteTimeoutMs: origin.lifetimeMs,
          }
        : kind === 'remembered'
          ? this.options.session.rememberMe
          : this.options.session;
    const by = origin.kind === 'impersonation' ? origin.impersonatedBy : null;
    const token = generateToken();
    const row: SessionEntity = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId,
      tenantId: principal.tenantId ?? null,
      roles: [...principal.roles],
      authzVersion: state?.authzVersion ?? 0,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + idleTimeoutMs, now + absoluteTimeoutMs),
      absoluteExpiresAt: now + absoluteTimeoutMs,
      authenticatedAt: now,
      authLevel: origin.authLevel ?? this.options.freshAuth.levels[0],
      ip: origin.ip?.slice(0, 64) || null,
      userAgent: origin.userAgent?.slice(0, 512) || null,
      data: origin.data ?? {},
      revokedAt: null,
      revokedReason: null,
      reauthRequiredAt: null,
      kind,
      tokenIssuedAt: now,
      reauthenticatedAt: null,
      fingerprint: null,
      suspiciousChangeAt: null,
      impersonatorId: by?.userId ?? null,
      impersonatorSessionId: by?.sessionId ?? null,
      impersonationReason: by?.reason.slice(0, 500) ?? null,
    };
    row.fingerprint = fingerprintOf({
      ip: row.ip,
      userAgent: row.userAgent,
      country: origin.country,
    });
    const ended = await this.limiter.admit(row);
    const session = toActiveSession(row);
    await this.store.fill(row.tokenHash, session);
    await this.events.emit({
      type: 'session.created',
      userId: row.userId,
      sessionId: row.id,
      ip: row.ip,
      userAgent: row.userAgent,
      outcome: 'success',
      ...(kind === 'impersonation' ? { details: { kind } } : {}),
    });
    if (ended) await this.limiter.announce(row, ended);
    return { session, token, tokenHash: row.tokenHash };
  }

  /**
   * Validates a presented token against server-side state only (timeouts, revocations, markers).
   * A remembered session's rotated token reaches the session within the replay grace window
   * (`graced`); presented later it is a replay: the session ends (`session_revoked`, reason
   * `token_replayed`) and `session.replay_detected` records `from` as the evidence. Theft
   * signals compare `from` with the session's fingerprint (`session.signals`): a step-up answers
   * `reauth: 'suspicious_change'`, an `end` ends the session (`session_revoked`, reason
   * `suspicious_change`).
   */
  async validate(token: string, from: PresentedFrom = {}): Promise<SessionValidation> {
    if (!isWellFormedToken(token)) return { ok: false, code: 'session_required' };
    return this.validateHash(hashToken(token), from, false);
  }

  private async validateHash(
    tokenHash: string,
    from: PresentedFrom,
    graced: boolean,
  ): Promise<SessionValidation> {
    const found = await this.store.find(tokenHash);
    if (found === null || found === 'dead') {
      const verdict = graced ? null : await this.remembered.judge(tokenHash);
      if (verdict?.kind === 'grace') return this.validateHash(verdict.row.tokenHash, from, true);
      if (verdict?.kind === 'replayed') {
        await this.remembered.endReplayed(verdict, from);
        return { ok: false, code: 'session_revoked', reason: TOKEN_REPLAYED_REASON };
      }
      if (verdict?.kind === 'ended') return { ok: false, code: 'session_revoked' };
      return found === null ? { ok: false, code: 'session_required' } : this.revoked(tokenHash);
    }
    const now = this.clock.now();
    const verdict = judgeSession(found.session, found.revokedAt, found.epochs, now);
    if (verdict.status === 'revoked') return this.revoked(tokenHash);
    if (verdict.status === 'expired') {
      await this.expire(tokenHash, found.session, verdict.why);
      return { ok: false, code: 'session_expired' };
    }
    if (!found.fromCache) await this.store.fill(tokenHash, found.session);
    const judged = await this.signals.judge(tokenHash, found.session, from);
    if (judged.action === 'end') {
      await this.markRevoked([{ ...found.session, tokenHash }], SUSPICIOUS_CHANGE_REASON);
      return { ok: false, code: 'session_revoked', reason: SUSPICIOUS_CHANGE_REASON };
    }
    const { session } = judged;
    const reauth = judged.action === 'step-up' ? 'suspicious_change' : verdict.reauth;
    if (now - session.lastSeenAt >= this.options.session.touchIntervalMs) {
      void this.touch(tokenHash, session, now);
    }
    return graced
      ? { ok: true, session, tokenHash, reauth, graced }
      : { ok: true, session, tokenHash, reauth };
  }

  /**
   * Rotates a remembered session's token when it is due (`session.rememberMe.rotateAfter`);
   * `null` when it is not, or when a concurrent request rotated it first (that request's cookie
   * carries the new token; this one was served within the replay grace window).
   *
   * @example const issued = await sessions.rotateIfDue(tokenHash, session); if (issued) setCookie(issued);
   */
  async rotateIfDue(tokenHash: string, session: ActiveSession): Promise<IssuedSession | null> {
    const now = this.clock.now();
    if (!this.remembered.rotationDue(session, now)) return null;
    try {
      const issued = await this.rotate(tokenHash);
      await this.remembered.purgeExpired(now).catch(() => undefined);
      return issued;
    } catch (error) {
      if (error instanceof SessionRevokedException) return null;
      throw error;
    }
  }

  /**
   * Judges a session by its token hash against server-side state without counting as activity:
   * the idle timeout is not extended. Background re-checks of live connections use it; a session
   * that ended by timing out is reported `session_expired`.
   *
   * @example if (!(await sessions.inspect(connection.tokenHash)).ok) connection.end();
   */
  async inspect(tokenHash: string): Promise<SessionValidation> {
    const found = await this.store.find(tokenHash);
    if (found === null || found === 'dead') {
      // A connection opened before its remembered session's token rotated lives on with it.
      const verdict = await this.remembered.judge(tokenHash);
      if (verdict && verdict.kind !== 'ended') return this.inspect(verdict.row.tokenHash);
      if (found === null) return { ok: false, code: 'session_required' };
      return { ok: false, code: await this.endedAs(tokenHash) };
    }
    const verdict = judgeSession(found.session, found.revokedAt, found.epochs, this.clock.now());
    if (verdict.status === 'revoked') return { ok: false, code: await this.endedAs(tokenHash) };
    if (verdict.status === 'expired') {
      await this.expire(tokenHash, found.session, verdict.why);
      return { ok: false, code: 'session_expired' };
    }
    return { ok: true, session: found.session, tokenHash, reauth: verdict.reauth };
  }

  /**
   * Issues a new token for the same session (same id and data); the old token is dead at once.
   * `changes` are applied in the same write (re-authentication, privilege change).
   *
   * @throws SessionRevokedException (401 `session_revoked`) when the token is no longer live —
   * ended, or already rotated by a concurrent request
   */
  async rotate(tokenHash: string, changes: SessionRotationChanges = {}): Promise<IssuedSession> {
    const token = generateToken();
    const newHash = hashToken(token);
    const now = this.clock.now();
    const row = await this.records.rotateToken(tokenHash, newHash, changes, now);
    if (!row) {
      throw new SessionRevokedException('The session ended or was renewed by another request');
    }
    await this.store.endTokens([tokenHash]);
    const session = toActiveSession(row);
    await this.store.fill(newHash, session);
    await this.events.emit({
      type: 'session.rotated',
      userId: row.userId,
      sessionId: row.id,
      outcome: 'success',
    });
    return { session, token, tokenHash: newHash };
  }

  /**
   * Records a successful re-authentication at `level`: `authenticatedAt` becomes now, the roles
   * and permission version are refreshed from the user directory, the token (and with it the
   * CSRF token) is rotated and the session data is kept. A step-up a theft signal asked for is
   * cleared, and with `from` (where the re-authentication came from) the session is bound to that
   * client; without it the old fingerprint stays, so a changed signal asks again.
   *
   * @throws AccountDisabledError when the user is gone or disabled
   */
  async reauthenticate(
    tokenHash: string,
    session: ActiveSession,
    level: string,
    from?: PresentedFrom,
  ): Promise<IssuedSession> {
    const principal = this.options.users ? await this.options.users.findById(session.userId) : null;
    const state = await this.userState(session.userId);
    if ((this.options.users && !principal) || principal?.disabled || state?.disabledAt) {
      throw new AccountDisabledError(session.userId);
    }
    const issued = await this.rotate(tokenHash, {
      authenticatedAt: this.clock.now(),
      authLevel: level,
      roles: principal ? [...principal.roles] : session.roles,
      tenantId: principal ? (principal.tenantId ?? null) : session.tenantId,
      authzVersion: state?.authzVersion ?? 0,
      reauthRequiredAt: null,
      reauthenticatedAt: this.clock.now(),
      suspiciousChangeAt: null,
      ...(from ? { fingerprint: fingerprintOf(from) } : {}),
    });
    await this.events.emit({
      type: 'session.reauthenticated',
      userId: session.userId,
      sessionId: session.id,
      outcome: 'success',
      details: { level },
    });
    return issued;
  }

  /** Ends the session of a token (logout). */
  async end(tokenHash: string, reason = 'logout', actor?: string): Promise<void> {
    const row = await this.records.findByTokenHash(tokenHash);
    if (!row) return;
    await this.markRevoked([row], reason, actor);
  }

  /** Ends one session by its public id, optionally only if it belongs to `userId`. */
  async revoke(
    sessionId: string,
    reason: string,
    opts: { userId?: string; actor?: string } = {},
  ): Promise<boolean> {
    const row = await this.records.findLive(sessionId, opts.userId);
    if (!row) return false;
    await this.markRevoked([row], reason, opts.actor);
    return true;
  }

  /** Ends every live session of a user, except `exceptSessionId` when given. Returns the count. */
  async revokeAllForUser(
    userId: string,
    reason: string,
    opts: { exceptSessionId?: string; actor?: string } = {},
  ): Promise<number> {
    const rows = await this.records.listLive(userId, { except: opts.exceptSessionId });
    await this.markRevoked(rows, reason, opts.actor);
    return rows.length;
  }

  /**
   * Records that the user's password changed (call it after storing the new one): ends every
   * other live session unless `endOtherSessions: false`, and emits `password.changed`, which is
   * audited and gives the user one `password_changed` notification.
   *
   * @example
   * await sessions.passwordChanged(session.userId, { currentSessionId: session.id, ip });
   */
  async passwordChanged(
    userId: string,
    opts: {
      currentSessionId?: string;
      endOtherSessions?: boolean;
      actor?: string;
      ip?: string | null;
    } = {},
  ): Promise<{ endedSessions: number }> {
    const endedSessions =
      opts.endOtherSessions === false
        ? 0
        : await this.revokeAllForUser(userId, 'password_changed', {
            exceptSessionId: opts.currentSessionId,
            actor: opts.actor ?? userId,
          });
    await this.events.emit({
      type: 'password.changed',
      userId,
      sessionId: opts.currentSessionId ?? null,
      actor: opts.actor ?? userId,
      ip: opts.ip ?? null,
      outcome: 'success',
      details: { changeId: randomUUID(), endedSessions },
    });
    return { endedSessions };
  }

  /**
   * The concurrent-session limit that applies to a user with `roles` (the smallest of
   * `session.limit.maxSessions` and their roles' `perRole` limits), or `null` when none does —
   * for pages that tell users how many devices they may be signed in on.
   *
   * @example sessions.limitFor(session.roles) // { maxSessions: 3, policy: 'end-oldest' }
   */
  limitFor(roles: readonly string[]): { maxSessions: number; policy: SessionLimitPolicy } | null {
    const limit = this.options.session.limit;
    const maxSessions = sessionLimitFor(roles, limit);
    return limit && maxSessions !== null ? { maxSessions, policy: limit.policy } : null;
  }

  /** Live sessions of a user, newest first. */
  async list(userId: string): Promise<ActiveSession[]> {
    const rows = await this.records.listLive(userId, { newest: 200 });
    return (await this.store.liveRows(rows, this.clock.now())).map(toActiveSession);
  }

  /**
   * "This wasn't me": ends the user's session `sessionId` (and, with `endOtherSessions`, every
   * other one but the reporter's) and records `session.reported` — with where the reported session
   * was started — in the audit trail. Only the user's own sessions can be reported.
   *
   * @returns the number of sessions ended, or `null` when the user has no such session
   * @example
   * const result = await sessions.report(id, { userId: session.userId, reporterSessionId: session.id });
   * if (!result) throw new NotFoundException();
   */
  async report(
    sessionId: string,
    report: SessionReport,
  ): Promise<{ endedSessions: number } | null> {
    const row = await this.records.findLive(sessionId, report.userId);
    if (!row) return null;
    const others = report.endOtherSessions
      ? await this.records.listLive(report.userId, { except: row.id })
      : [];
    const ended = [row, ...others.filter((r) => r.id !== report.reporterSessionId)];
    await this.markRevoked(ended, 'reported', report.userId);
    await this.events.emit({
      type: 'session.reported',
      userId: report.userId,
      sessionId: row.id,
      actor: report.userId,
      ip: report.ip ?? null,
      userAgent: report.userAgent ?? null,
      outcome: 'success',
      details: {
        reporterSessionId: report.reporterSessionId ?? null,
        reportedFrom: { ip: row.ip, userAgent: row.userAgent, createdAt: row.createdAt },
        endedSessions: ended.length,
      },
    });
    return { endedSessions: ended.length };
  }

  /** The per-user state row (permission version, disable marker), if any. */
  userState(userId: string): Promise<SessionUserStateEntity | null> {
    return this.states.userState(userId);
  }

  /**
   * The denial of a revoked token, with the reason the user is told when its row names one (a
   * session the limit ended, a remembered session ended by a replay); a row that cannot be read
   * gives the plain denial. The read is on the denial path only.
   */
  private async revoked(tokenHash: string): Promise<SessionValidation> {
    const reason = await this.records.endedReason(tokenHash).catch(() => null);
    return reason === SESSION_LIMIT_REASON ||
      reason === TOKEN_REPLAYED_REASON ||
      reason === SUSPICIOUS_CHANGE_REASON
      ? { ok: false, code: 'session_revoked', reason }
      : { ok: false, code: 'session_revoked' };
  }

  /** How a dead token's session ended, from its row: expired, or revoked. */
  private async endedAs(tokenHash: string): Promise<'session_expired' | 'session_revoked'> {
    const reason = await this.records.endedReason(tokenHash).catch(() => null);
    return reason?.startsWith('expired_') ? 'session_expired' : 'session_revoked';
  }

  private async markRevoked(
    rows: Array<Pick<SessionEntity, 'id' | 'userId' | 'tokenHash'>>,
    reason: string,
    actor?: string,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.records.markRevoked(
      rows.map((r) => r.id),
      reason,
      this.clock.now(),
    );
    await this.store.endTokens(rows.map((r) => r.tokenHash));
    for (const row of rows) {
      await this.events.emit({
        type: reason === 'logout' ? 'logout' : 'session.revoked',
        userId: row.userId,
        sessionId: row.id,
        actor: actor ?? null,
        outcome: 'success',
        details: { reason },
      });
    }
  }

  private async expire(
    tokenHash: string,
    session: ActiveSession,
    why: 'idle' | 'absolute',
  ): Promise<void> {
    try {
      const ended = await this.records.endToken(tokenHash, `expired_${why}`, this.clock.now());
      // An expiry is no revocation: each instance judges the deadline itself; the tombstone
      // reaches every instance within the cache freshness bound.
      await this.store.endTokens([tokenHash], { waitForEveryInstance: false });
      if (ended)
        await this.events.emit({
          type: 'session.expired',
          userId: session.userId,
          sessionId: session.id,
          outcome: 'success',
          details: { why },
        });
    } catch (error) {
      this.logger.warn(
        `could not record the expiry of session ${session.id}: ${(error as Error).message}`,
      );
    }
  }

  private async touch(tokenHash: string, session: ActiveSession, now: number): Promise<void> {
    if (this.touching.has(tokenHash)) return;
    this.touching.add(tokenHash);
    try {
      const idleExpiresAt = Math.min(
        now + this.options.session.idleTimeoutMs,
        session.absoluteExpiresAt,
      );
      if (await this.records.touch(tokenHash, now, idleExpiresAt))
        await this.store.refresh(tokenHash, { ...session, lastSeenAt: now, idleExpiresAt });
    } catch (error) {
      this.logger.warn(`could not touch session ${session.id}: ${(error as Error).message}`);
    } finally {
      this.touching.delete(tokenHash);
    }
  }
}
