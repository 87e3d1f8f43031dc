import fc from 'fast-check';
import type { SessionEvent } from '../session/session-events.js';
import { parseLiveSignal, type LiveSignal } from './live-signal.js';
import { liveSignalFor } from './live-triggers.js';
import { resolveLiveOptions } from './live-options.js';

describe('parseLiveSignal', () => {
  it('reads the signals instances send each other', () => {
    expect(parseLiveSignal('{"scope":"session","value":"s-1","from":"i"}')).toEqual({
      scope: 'session',
      value: 's-1',
      from: 'i',
    });
    expect(parseLiveSignal('{"scope":"all"}')).toEqual({ scope: 'all' });
  });

  it.each([
    '',
    'nope',
    '[]',
    'null',
    '{"scope":"everyone"}',
    '{"scope":"user"}',
    '{"scope":"user","value":7}',
  ])('ignores the malformed message %j', (raw) => expect(parseLiveSignal(raw)).toBeNull());

  it('never throws, whatever arrives on the channel', () => {
    fc.assert(fc.property(fc.string(), (raw) => void parseLiveSignal(raw)));
  });
});

describe('liveSignalFor', () => {
  it.each([
    [
      { type: 'logout', sessionId: 's', details: { reason: 'logout' } },
      { scope: 'session', value: 's' },
    ],
    [
      { type: 'session.revoked', sessionId: 's', details: { reason: 'admin' } },
      { scope: 'session', value: 's' },
    ],
    [
      { type: 'session.expired', sessionId: 's', details: { why: 'idle' } },
      { scope: 'session', value: 's' },
    ],
    [
      { type: 'session.rotated', sessionId: 's' },
      { scope: 'session', value: 's' },
    ],
    [
      { type: 'permissions.changed', userId: 'u', details: { reason: null, authzVersion: 2 } },
      { scope: 'user', value: 'u' },
    ],
    [
      { type: 'user.disabled', userId: 'u', details: { reason: null } },
      { scope: 'user', value: 'u' },
    ],
    [{ type: 'revocation.started', details: { jobId: 'j' } }, { scope: 'all' }],
  ] as Array<[SessionEvent, LiveSignal]>)('asks for a re-check on %j', (event, signal) => {
    expect(liveSignalFor({ outcome: 'success', ...event })).toEqual(signal);
  });

  it('re-checks the connections of a session a theft signal held for step-up, and only then', () => {
    const evidence = [{ signal: 'country', from: 'DE', to: 'FR', action: 'step-up' }];
    expect(
      liveSignalFor({
        type: 'session.signal_changed',
        outcome: 'denied',
        sessionId: 's',
        details: { decision: 'step-up', evidence },
      }),
    ).toEqual({ scope: 'session', value: 's' });
    for (const decision of ['record', 'end'] as const) {
      expect(
        liveSignalFor({
          type: 'session.signal_changed',
          sessionId: 's',
          details: { decision, evidence },
        }),
      ).toBeNull();
    }
  });

  it('ignores denials and events that end nothing', () => {
    expect(
      liveSignalFor({
        type: 'access.denied',
        outcome: 'denied',
        sessionId: 's',
        details: { code: 'session_revoked' },
      }),
    ).toBeNull();
    expect(liveSignalFor({ type: 'session.created', sessionId: 's' })).toBeNull();
    expect(liveSignalFor({ type: 'logout', details: { reason: 'logout' } })).toBeNull();
  });
});

describe('resolveLiveOptions', () => {
  it('sweeps every 30 seconds by default', () => {
    expect(resolveLiveOptions(undefined)).toEqual({ sweepIntervalMs: 30_000 });
    expect(resolveLiveOptions({ sweepInterval: '5s' })).toEqual({ sweepIntervalMs: 5_000 });
  });

  it.each([
    [{ sweepInterval: '10ms' }, /live\.sweepInterval: must be at least 1 second/],
    [{ sweepInterval: '2d' }, /live\.sweepInterval: must be at most 1 hour/],
    [{ sweepInterval: 'soon' }, /live.sweepInterval/],
    [{ sweep: '5s' }, /live\.sweep: unknown option/],
    ['5s', /live: must be an object/],
  ])('refuses %j at startup', (raw, message) => {
    expect(() => resolveLiveOptions(raw)).toThrow(message);
  });
});
