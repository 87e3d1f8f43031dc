import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { fingerprintOf } from './client-fingerprint.js';
import type { PresentedFrom } from './remembered-tokens.js';
import { SessionEvents } from './session-events.js';
import { SessionRecords } from './session-records.js';
import { SessionStore } from './session-store.js';
import { decideSignals, judgesSignals, type SignalDecision } from './signal-policy.js';
import type { ActiveSession } from './session.types.js';

/** What {@link SessionSignals.judge} decided, and the session as it is now. */
export interface SignalJudgement {
  action: SignalDecision['action'];
  session: ActiveSession;
}

/**
 * Theft signals: compares each request's client (user-agent family, IP network, country) with
 * the fingerprint its session was issued to and applies `session.signals` to what changed —
 * records and re-binds, holds the session for step-up re-authentication, or leaves ending it to
 * the caller — auditing every decision with the evidence (`session.signal_changed`). When nothing
 * changed it is a comparison with the cached session, no database or Redis round trip.
 *
 * @example
 * const judged = await signals.judge(tokenHash, session, { ip, userAgent, country });
 * if (judged.action === 'step-up') throw new ReauthRequiredException('suspicious_change');
 */
@Injectable()
export class SessionSignals {
  constructor(
    private readonly records: SessionRecords,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /**
   * Judges one request. Sessions without a fingerprint (stored before it existed) and sessions
   * already held for step-up are not judged; a request signal that is unknown (`null`, or a
   * country that was not looked up) is not compared.
   */
  async judge(
    tokenHash: string,
    session: ActiveSession,
    from: PresentedFrom,
  ): Promise<SignalJudgement> {
    const policy = this.options.session.signals;
    const bound = session.fingerprint;
    if (!bound || session.suspiciousChangeAt !== null || !judgesSignals(policy)) {
      return { action: 'none', session };
    }
    const decision = decideSignals(bound, fingerprintOf(from), policy);
    if (decision.action === 'none') return { action: 'none', session };
    let updated = session;
    if (decision.action === 'record') {
      updated = { ...session, fingerprint: decision.rebound };
      await this.save(tokenHash, updated, { fingerprint: decision.rebound });
    } else if (decision.action === 'step-up') {
      updated = { ...session, suspiciousChangeAt: this.clock.now() };
      await this.save(tokenHash, updated, { suspiciousChangeAt: updated.suspiciousChangeAt });
    }
    await this.events.emit({
      type: 'session.signal_changed',
      userId: session.userId,
      sessionId: session.id,
      ip: from.ip ?? null,
      userAgent: from.userAgent ?? null,
      outcome: decision.action === 'record' ? 'success' : 'denied',
      details: { decision: decision.action, evidence: decision.changes },
    });
    return { action: decision.action, session: updated };
  }

  /** The row first, then the shared cache, so every instance sees the decision. */
  private async save(
    tokenHash: string,
    session: ActiveSession,
    changes: Parameters<SessionRecords['updateSignals']>[1],
  ): Promise<void> {
    if (await this.records.updateSignals(tokenHash, changes)) {
      await this.store.refresh(tokenHash, session);
    }
  }
}
