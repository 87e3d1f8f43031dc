import type { SignalAction, SignalPolicy } from '../options/resolved-options.js';
import { SIGNALS, type ClientFingerprint, type Signal } from './client-fingerprint.js';

export type { SignalAction, SignalPolicy };

/** Every {@link SignalAction}, weakest first. */
export const SIGNAL_ACTIONS: readonly SignalAction[] = ['ignore', 'record', 'step-up', 'end'];

/** The documented defaults: record user-agent and network changes, step up on a new country. */
export const DEFAULT_SIGNAL_POLICY: SignalPolicy = {
  userAgent: 'record',
  network: 'record',
  country: 'step-up',
};

/** One signal that changed: the evidence of a decision. */
export interface SignalChange {
  signal: Signal;
  from: string | null;
  to: string | null;
  action: Exclude<SignalAction, 'ignore'>;
}

/**
 * The outcome of comparing a request with its session's fingerprint: the strongest action of
 * the changed signals (`'none'` when nothing that counts changed), the changes as evidence, and
 * the fingerprint to bind after a `'record'`.
 */
export interface SignalDecision {
  action: 'none' | Exclude<SignalAction, 'ignore'>;
  changes: SignalChange[];
  rebound: ClientFingerprint;
}

/**
 * Compares the request's fingerprint with the one the session was issued to, signal by signal.
 * A signal is judged only when the request's value is known; a known value where the session has
 * none (it was unknown at sign-in) is recorded whatever the policy says short of `'ignore'`, never
 * stepped up or ended, since there is nothing it differs from. Ignored signals keep their value.
 *
 * @example
 * decideSignals(bound, { ...bound, country: 'FR' }, DEFAULT_SIGNAL_POLICY).action; // 'step-up'
 */
export function decideSignals(
  bound: ClientFingerprint,
  current: ClientFingerprint,
  policy: SignalPolicy,
): SignalDecision {
  const changes: SignalChange[] = [];
  const rebound = { ...bound };
  for (const signal of SIGNALS) {
    const from = bound[signal];
    const to = current[signal];
    if (to === null || to === from || policy[signal] === 'ignore') continue;
    const action = from === null ? 'record' : (policy[signal] as SignalChange['action']);
    changes.push({ signal, from, to, action });
    rebound[signal] = to;
  }
  const strongest = changes.reduce<SignalDecision['action']>(
    (worst, change) =>
      SIGNAL_ACTIONS.indexOf(change.action) > SIGNAL_ACTIONS.indexOf(worst as SignalAction)
        ? change.action
        : worst,
    'none',
  );
  return { action: strongest, changes, rebound };
}

/** Whether any signal is judged at all (every one `'ignore'`: nothing is compared). */
export function judgesSignals(policy: SignalPolicy): boolean {
  return SIGNALS.some((signal) => policy[signal] !== 'ignore');
}
