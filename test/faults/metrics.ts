import type { RequestRecord } from './traffic.js';

/** A time span in which a fault was acting (`performance.now()` ms); 503 is allowed inside. */
export interface FaultWindow {
  label: string;
  start: number;
  end: number;
  /** How long after `end` the window stays open while the app recovers. */
  settleMs: number;
}

/** The counts of one scenario's traffic. */
export interface TrafficCounts {
  requests: number;
  ok2xx: number;
  /** Sessions ended by the traffic, and how often their cookies were sent again. */
  endedSessions: number;
  endedProbes: number;
  /** 2xx answers to cookies of ended sessions (must be 0). */
  servedEnded: number;
  servedEndedByKind: Record<string, number>;
  /** 5xx answers to requests outside every fault window (must be 0). */
  serverErrorsOutside: number;
  /** 503 answers inside a fault window (allowed), and any other 5xx there (must be 0). */
  unavailableInside: number;
  otherServerErrorsInside: number;
  /** Requests with no answer within the limit, anywhere (must be 0), and of which kind. */
  hung: number;
  hungByKind: Record<string, number>;
  /** Refused or reset connections outside the fault windows (must be 0). */
  connectionErrorsOutside: number;
  connectionErrorsByCode: Record<string, number>;
  /** Live sessions answered 4xx (not an invariant of the suite, but worth seeing). */
  liveRefused: number;
  /** First 2xx of a live session after the last fault ended, in ms (null: none seen). */
  recoveryMs: number | null;
}

const inside = (record: RequestRecord, windows: FaultWindow[]) =>
  windows.some((w) => record.doneAt >= w.start && record.sentAt <= w.end + w.settleMs);

/** Counts what the invariants are about, from the records and the scenario's fault windows. */
export function countTraffic(
  records: RequestRecord[],
  endedSessions: number,
  windows: FaultWindow[],
): TrafficCounts {
  const counts: TrafficCounts = {
    requests: records.length,
    ok2xx: 0,
    endedSessions,
    endedProbes: 0,
    servedEnded: 0,
    servedEndedByKind: {},
    serverErrorsOutside: 0,
    unavailableInside: 0,
    otherServerErrorsInside: 0,
    hung: 0,
    hungByKind: {},
    connectionErrorsOutside: 0,
    connectionErrorsByCode: {},
    liveRefused: 0,
    recoveryMs: null,
  };
  const lastEnd = windows.length > 0 ? Math.max(...windows.map((w) => w.end)) : null;
  for (const record of records) {
    const success = record.status >= 200 && record.status < 300;
    if (success) counts.ok2xx += 1;
    if (record.kind === 'ended') {
      counts.endedProbes += 1;
      if (success) {
        counts.servedEnded += 1;
        const kind = record.endKind ?? 'unknown';
        counts.servedEndedByKind[kind] = (counts.servedEndedByKind[kind] ?? 0) + 1;
      }
    }
    const within = inside(record, windows);
    if (record.status >= 500) {
      if (!within) counts.serverErrorsOutside += 1;
      else if (record.status === 503) counts.unavailableInside += 1;
      else counts.otherServerErrorsInside += 1;
    }
    if (record.failure === 'timeout') {
      counts.hung += 1;
      counts.hungByKind[record.kind] = (counts.hungByKind[record.kind] ?? 0) + 1;
    }
    if (record.failure === 'error' && !within) {
      counts.connectionErrorsOutside += 1;
      const code = record.errorCode ?? 'unknown';
      counts.connectionErrorsByCode[code] = (counts.connectionErrorsByCode[code] ?? 0) + 1;
    }
    if (record.kind === 'live' && record.status >= 400 && record.status < 500)
      counts.liveRefused += 1;
    if (record.kind === 'live' && success && lastEnd !== null && record.sentAt >= lastEnd) {
      const recovery = record.doneAt - lastEnd;
      if (counts.recoveryMs === null || recovery < counts.recoveryMs) counts.recoveryMs = recovery;
    }
  }
  if (counts.recoveryMs !== null) counts.recoveryMs = Math.round(counts.recoveryMs);
  return counts;
}
