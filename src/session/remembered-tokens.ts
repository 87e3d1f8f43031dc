import { Inject, Injectable } from '@nestjs/common';
import { LessThan, type DataSource } from 'typeorm';
import { RESOLVED_OPTIONS, SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { RetiredTokenEntity } from './retired-token.entity.js';
import { SessionRecords } from './session-records.js';
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
 * The retired tokens of remembered sessions (`ss_retired_token`): judges a presented token that
 * is no session's current one, and decides when a remembered session's token is due to rotate.
 * Every decision is read from the database, so two instances judge a token alike.
 *
 * @example
 * const verdict = await remembered.judge(tokenHash, clock.now());
 * if (verdict?.kind === 'replayed') await sessions.endReplayed(verdict);
 */
@Injectable()
export class RememberedTokens {
  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly records: SessionRecords,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** `null` for a token that never belonged to a remembered session (unknown, or standard). */
  async judge(tokenHash: string, now: number): Promise<RetiredTokenVerdict | null> {
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
