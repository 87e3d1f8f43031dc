import { countTraffic, type FaultWindow } from './metrics.js';
import type { RequestRecord } from './traffic.js';

const at = (
  sentAt: number,
  status: number,
  kind: RequestRecord['kind'] = 'live',
  doneAt = sentAt + 10,
) => ({ kind, instance: 'A', status, sentAt, doneAt }) as RequestRecord;
const window: FaultWindow = { label: 'stall', start: 1_000, end: 2_000, settleMs: 500 };

describe('countTraffic', () => {
  it('counts a 2xx to an ended session as served, by how it was ended, and nothing else', () => {
    const records = [
      { ...at(100, 200, 'ended'), endKind: 'logout' as const },
      { ...at(200, 401, 'ended'), endKind: 'logout' as const },
      { ...at(300, 204, 'ended'), endKind: 'disable' as const },
      at(400, 200, 'live'),
    ];
    const counts = countTraffic(records, 2, []);
    expect(counts).toMatchObject({ endedProbes: 3, servedEnded: 2, endedSessions: 2 });
    expect(counts.servedEndedByKind).toEqual({ logout: 1, disable: 1 });
  });

  it('allows 503 inside the window and its settle time, but no 5xx outside it or other 5xx inside', () => {
    const records = [
      at(500, 503), // before the window
      at(995, 503), // sent before, answered inside: inside
      at(1_500, 503),
      at(1_600, 500), // inside, but not 503
      at(2_400, 503), // within the settle time
      at(2_600, 502), // after the settle time
    ];
    const counts = countTraffic(records, 0, [window]);
    expect(counts).toMatchObject({
      serverErrorsOutside: 2,
      unavailableInside: 3,
      otherServerErrorsInside: 1,
    });
  });

  it('counts every hung request, and refused connections only outside the window', () => {
    const records = [
      { ...at(1_200, 0), failure: 'error' as const },
      { ...at(3_000, 0), failure: 'error' as const },
      { ...at(1_200, 0, 'admin'), failure: 'timeout' as const },
      { ...at(3_000, 0, 'login'), failure: 'timeout' as const },
    ];
    const counts = countTraffic(records, 0, [window]);
    expect(counts).toMatchObject({ connectionErrorsOutside: 1, hung: 2 });
    expect(counts.connectionErrorsByCode).toEqual({ unknown: 1 });
    expect(counts.hungByKind).toEqual({ admin: 1, login: 1 });
  });

  it('measures recovery as the first live 2xx sent after the last fault ended', () => {
    const records = [
      at(1_500, 200),
      at(2_100, 503),
      at(2_300, 200, 'live', 2_450),
      at(2_200, 200, 'ended'),
    ];
    expect(countTraffic(records, 1, [window]).recoveryMs).toBe(450);
    expect(countTraffic([at(2_100, 503)], 0, [window]).recoveryMs).toBeNull();
    expect(countTraffic(records, 1, []).recoveryMs).toBeNull();
  });
});
