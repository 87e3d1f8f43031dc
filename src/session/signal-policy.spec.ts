import fc from 'fast-check';
import type { ClientFingerprint } from './client-fingerprint.js';
import {
  DEFAULT_SIGNAL_POLICY,
  decideSignals,
  judgesSignals,
  type SignalPolicy,
} from './signal-policy.js';

const bound: ClientFingerprint = {
  userAgent: 'Firefox on Linux',
  network: '203.0.113.0/24',
  country: 'DE',
};

describe('decideSignals', () => {
  it('decides nothing when the request matches the session', () => {
    expect(decideSignals(bound, { ...bound }, DEFAULT_SIGNAL_POLICY)).toEqual({
      action: 'none',
      changes: [],
      rebound: bound,
    });
  });

  it('by default records a new network and re-binds the session to it', () => {
    const decision = decideSignals(
      bound,
      { ...bound, network: '198.51.100.0/24' },
      DEFAULT_SIGNAL_POLICY,
    );
    expect(decision.action).toBe('record');
    expect(decision.changes).toEqual([
      { signal: 'network', from: '203.0.113.0/24', to: '198.51.100.0/24', action: 'record' },
    ]);
    expect(decision.rebound.network).toBe('198.51.100.0/24');
  });

  it('by default records another browser family', () => {
    const decision = decideSignals(
      bound,
      { ...bound, userAgent: 'Chrome on Windows' },
      DEFAULT_SIGNAL_POLICY,
    );
    expect(decision.action).toBe('record');
  });

  it('by default steps up on a new country, with every changed signal as evidence', () => {
    const decision = decideSignals(
      bound,
      { userAgent: 'Chrome on Windows', network: '198.51.100.0/24', country: 'FR' },
      DEFAULT_SIGNAL_POLICY,
    );
    expect(decision.action).toBe('step-up');
    expect(decision.changes.map((c) => [c.signal, c.action])).toEqual([
      ['userAgent', 'record'],
      ['network', 'record'],
      ['country', 'step-up'],
    ]);
    expect(decision.changes[2]).toMatchObject({ from: 'DE', to: 'FR' });
  });

  it('ends when a signal set to end changed, whatever the others say', () => {
    const policy: SignalPolicy = { userAgent: 'end', network: 'step-up', country: 'record' };
    const decision = decideSignals(
      bound,
      { userAgent: 'Chrome on Windows', network: '198.51.100.0/24', country: 'FR' },
      policy,
    );
    expect(decision.action).toBe('end');
  });

  it('ignores an ignored signal completely: no change, no evidence, the old value stays bound', () => {
    const policy: SignalPolicy = { ...DEFAULT_SIGNAL_POLICY, country: 'ignore' };
    const decision = decideSignals(bound, { ...bound, country: 'FR' }, policy);
    expect(decision).toEqual({ action: 'none', changes: [], rebound: bound });
  });

  it('does not compare a signal the request does not know', () => {
    const decision = decideSignals(
      bound,
      { userAgent: null, network: null, country: null },
      { userAgent: 'end', network: 'end', country: 'end' },
    );
    expect(decision.action).toBe('none');
  });

  it('only records a value the session did not know at sign-in, even under end', () => {
    const decision = decideSignals(
      { ...bound, country: null },
      { ...bound, country: 'FR' },
      { ...DEFAULT_SIGNAL_POLICY, country: 'end' },
    );
    expect(decision.action).toBe('record');
    expect(decision.changes).toEqual([
      { signal: 'country', from: null, to: 'FR', action: 'record' },
    ]);
  });

  it('never acts more weakly than the policy of a changed, known signal', () => {
    const action = fc.constantFrom('ignore', 'record', 'step-up', 'end' as const);
    const value = fc.constantFrom('a', 'b', null);
    const order = ['none', 'record', 'step-up', 'end'];
    fc.assert(
      fc.property(
        fc.record({ userAgent: action, network: action, country: action }),
        fc.record({ userAgent: value, network: value, country: value }),
        (policy, current) => {
          const base = { userAgent: 'a', network: 'a', country: 'a' };
          const decision = decideSignals(base, current, policy as SignalPolicy);
          for (const signal of ['userAgent', 'network', 'country'] as const) {
            const changed = current[signal] !== null && current[signal] !== 'a';
            const wanted = policy[signal] === 'ignore' ? 'none' : policy[signal];
            if (changed)
              expect(order.indexOf(decision.action)).toBeGreaterThanOrEqual(order.indexOf(wanted));
          }
          if (decision.changes.length === 0) expect(decision.action).toBe('none');
        },
      ),
    );
  });
});

describe('judgesSignals', () => {
  it('is false only when every signal is ignored', () => {
    expect(judgesSignals(DEFAULT_SIGNAL_POLICY)).toBe(true);
    expect(judgesSignals({ userAgent: 'ignore', network: 'ignore', country: 'ignore' })).toBe(
      false,
    );
    expect(judgesSignals({ userAgent: 'ignore', network: 'ignore', country: 'end' })).toBe(true);
  });
});
