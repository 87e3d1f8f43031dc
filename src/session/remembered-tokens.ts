import { Inject, Injectable, Logger } from '@nestjs/common';
import { LessThan, type DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { RetiredTokenEntity } from './retired-token.entity.js';
import { SessionEvents } from './session-events.js';
import { TOKEN_REPLAYED_REASON } from './session-kind.js';
import { SessionRecords } from './session-records.js';
import { SessionStore } from './session-store.js';
import type { SessionEntity } from './session.entity.js';
import type { ActiveSession } from './session.types.js';

/**
 * What a presented token that is not a session's current one turns out to be: a rotated token of
 * a remembered session still within the replay grace window (`grace`: it reaches the session's
 * current token), one presented later (`replayed`: theft — the session must end), or one of a
 * session that has ended meanwhile (`ended`).
 */
export type RetiredTokenVerdict =
  | { kind: 'grace'; row: SessionEntity }
  | { kind: 'replayed'; row: SessionEntity; retiredAt: number }
  | { kind: 'ended' };

/**
 * Where a presented token came from: recorded when a replayed remembered token is caught, and
 * compared with the session's fingerprint by theft signals (`country` left out: not compared).
 */
export interface PresentedFrom {
  ip?: string | null;
  userAgent?: string | null;
  /** ISO 3166-1 alpha-2 country from the `GeoResolver`, `null` when unknown. */
  country?: string | null;
}

/**
 * The retired tokens of remembered sessions (`ss_retired_token`): judges a presented token that
 * is no session's current one, ends the session of a replayed one, and decides when a remembered
 * session's token is due to rotate. Every decision is read from the database, so two instances
 * judge a token alike.
 *
 * @example
 * const verdict = await remembered.judge(tokenHash);
 * if (verdict?.kind === 'replayed') await remembered.endReplayed(verdict, { ip, userAgent });
 */
@Injectable()
export class RememberedTokens {
  private readonly logger = new Logger('SessionSecurity');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly records: SessionRecords,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /**
   * `null` for a token that never belonged to a remembered session (unknown, or standard) — and
   * when the database cannot say: the token is refused either way, and a database that cannot
   * answer only costs a replay its detection, never lets it pass.
   */
  judge(tokenHash: string): Promise<RetiredTokenVerdict | null> {
    return this.lookUp(tokenHash, this.clock.now()).catch((error: unknown) => {
      this.logger.warn(`could not check for a retired token: ${(error as Error).message}`);
      return null;
    });
  }

  /**
   * A rotated token of a remembered session came back after the grace window: whoever holds it
   * copied it. The session — every token it ever had — ends, and is recorded and notified once,
   * whichever instance sees the replay first.
   */
  async endReplayed(
    verdict: Extract<RetiredTokenVerdict, { kind: 'replayed' }>,
    from: PresentedFrom,
  ): Promise<void> {
    const { row } = verdict;
    const now = this.clock.now();
    if (!(await this.records.markRevoked([row.id], TOKEN_REPLAYED_REASON, now))) return;
    await this.store.endTokens([row.tokenHash]);
    await this.events.emit({
      type: 'session.revoked',
      userId: row.userId,
      sessionId: row.id,
      outcome: 'success',
      details: { reason: TOKEN_REPLAYED_REASON },
    });
    await this.events.emit({
      type: 'session.replay_detected',
      userId: row.userId,
      sessionId: row.id,
      ip: from.ip ?? null,
      userAgent: from.userAgent ?? null,
      outcome: 'denied',
      details: {
        retiredAt: verdict.retiredAt,
        presentedAfterMs: now - verdict.retiredAt,
        replayGraceMs: this.options.session.rememberMe.replayGraceMs,
        issuedTo: { ip: row.ip, userAgent: row.userAgent },
      },
    });
  }

  private async lookUp(tokenHash: string, now: number): Promise<RetiredTokenVerdict | null> {
    const retired = await this.dataSource
      .getRepository(RetiredTokenEntity)
      .findOneBy({ tokenHash });
    if (!retired) return null;
    const row = await this.records.findLive(retired.sessionId);
    if (!row) return { kind: 'ended' };
    if (now - retired.retiredAt <= this.options.session.rememberMe.replayGraceMs) {
      return { kind: 'grace', row };
    }
    return { kind: 'replayed', row, retiredAt: retired.retiredAt };
  }

  /** Whether a request at `now` should rotate the token of `session` (remembered ones only). */
  rotationDue(session: ActiveSession, now: number): boolean {
    if (session.kind !== 'remembered') return false;
    const issuedAt = session.tokenIssuedAt ?? session.createdAt;
    return now - issuedAt >= this.options.session.rememberMe.rotateAfterMs;
  }

  /** Forgets retired tokens whose session is past its absolute expiry anyway. */
  async purgeExpired(now: number): Promise<void> {
    await this.dataSource.getRepository(RetiredTokenEntity).delete({ expiresAt: LessThan(now) });
  }
}
