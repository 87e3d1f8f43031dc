import { jest } from '@jest/globals';
import type { SessionService, SessionValidation } from '../session/session.service.js';
import type { ActiveSession } from '../session/session.types.js';
import { LiveConnections } from './live-connections.service.js';
import type { LiveConnectionEnd } from './live-connection.types.js';
import { LocalLiveSignalBus } from './live-signal-bus.js';

/** A session store stand-in: which token hashes are still valid, and how the others ended. */
function sessionsWith(verdicts: Map<string, SessionValidation>) {
  const inspected: string[] = [];
  const service = {
    inspect: async (tokenHash: string) => {
      inspected.push(tokenHash);
      return verdicts.get(tokenHash) ?? { ok: false, code: 'session_required' };
    },
  } as unknown as SessionService;
  return { service, inspected };
}

const valid = (id: string): SessionValidation => ({
  ok: true,
  session: { id } as ActiveSession,
  tokenHash: id,
  reauth: null,
});

function connection(sessionId: string, userId: string, ends: LiveConnectionEnd[]) {
  return {
    sessionId,
    userId,
    tenantId: 't1',
    roles: ['editor'],
    tokenHash: `h-${sessionId}`,
    kind: 'test',
    end: (why: LiveConnectionEnd) => ends.push(why),
  };
}

describe('LiveConnections', () => {
  let live: LiveConnections | undefined;
  afterEach(async () => live?.onApplicationShutdown());

  it('ends only the connections a signal names whose session is really over', async () => {
    const verdicts = new Map<string, SessionValidation>([['h-s2', valid('s2')]]);
    verdicts.set('h-s1', { ok: false, code: 'session_revoked' });
    const { service } = sessionsWith(verdicts);
    live = new LiveConnections(service, new LocalLiveSignalBus(), 3_600_000);
    const ended1: LiveConnectionEnd[] = [];
    const ended2: LiveConnectionEnd[] = [];
    live.register(connection('s1', 'u1', ended1));
    live.register(connection('s2', 'u1', ended2));

    await live.signal({ scope: 'user', value: 'u1' });
    expect(ended1).toEqual([{ code: 'session_revoked' }]);
    expect(ended2).toEqual([]);
    expect(live.size).toBe(1);
  });

  it('a signal can never keep alive a connection the store says is over, nor end a valid one', async () => {
    const verdicts = new Map([['h-s1', valid('s1')]]);
    const { service } = sessionsWith(verdicts);
    live = new LiveConnections(service, new LocalLiveSignalBus(), 3_600_000);
    const ended: LiveConnectionEnd[] = [];
    live.register(connection('s1', 'u1', ended));
    await live.signal({ scope: 'session', value: 's1' });
    expect(ended).toEqual([]);
    verdicts.set('h-s1', {
      ok: true,
      session: {} as ActiveSession,
      tokenHash: 'h-s1',
      reauth: 'permissions_changed',
    });
    await live.signal({ scope: 'all' });
    await live.sweep();
    expect(ended).toEqual([{ code: 'reauth_required', reason: 'permissions_changed' }]);
  });

  it('matches tenant and role signals and forgets released connections', async () => {
    const { service, inspected } = sessionsWith(new Map());
    live = new LiveConnections(service, new LocalLiveSignalBus(), 3_600_000);
    const ended: LiveConnectionEnd[] = [];
    const handle = live.register(connection('s1', 'u1', ended));
    await live.signal({ scope: 'role', value: 'admin' });
    await live.signal({ scope: 'tenant', value: 't2' });
    expect(inspected).toEqual([]);
    handle.release();
    await live.signal({ scope: 'role', value: 'editor' });
    expect(ended).toEqual([]);
    expect(live.size).toBe(0);
  });

  it('re-checks every connection on its own timer', async () => {
    jest.useFakeTimers();
    try {
      const { service, inspected } = sessionsWith(new Map([['h-s1', valid('s1')]]));
      live = new LiveConnections(service, new LocalLiveSignalBus(), 1_000);
      live.register(connection('s1', 'u1', []));
      await jest.advanceTimersByTimeAsync(2_100);
      expect(inspected).toEqual(['h-s1', 'h-s1']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends every connection at shutdown and signals nothing afterwards', async () => {
    const { service, inspected } = sessionsWith(new Map());
    live = new LiveConnections(service, new LocalLiveSignalBus(), 3_600_000);
    const ended: LiveConnectionEnd[] = [];
    live.register(connection('s1', 'u1', ended));
    await live.onApplicationShutdown();
    expect(ended).toEqual([{ code: 'shutdown' }]);
    await live.signal({ scope: 'all' });
    expect(inspected).toEqual([]);
    live = undefined;
  });
});
