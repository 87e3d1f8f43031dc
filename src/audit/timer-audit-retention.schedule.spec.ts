import { jest } from '@jest/globals';
import type { AuditRetentionJob, AuditRetentionRun } from './audit-retention.job.js';
import { TimerAuditRetentionSchedule } from './timer-audit-retention.schedule.js';

const HOUR = 3600 * 1000;

/** Stands in for the job: counts runs, records cutoffs, and finishes a run when told to. */
function recordingJob() {
  const cutoffs: Array<number | undefined> = [];
  const finish: Array<() => void> = [];
  let now = 1_000_000;
  const job = {
    cutoffNow: () => now - HOUR,
    run: (cutoff?: number) =>
      new Promise<AuditRetentionRun>((resolve) => {
        cutoffs.push(cutoff);
        finish.push(() => resolve({ cutoff: cutoff ?? 0, removed: 0, checkpoint: null }));
      }),
  } as unknown as AuditRetentionJob;
  return { job, cutoffs, finish, tickClock: (ms: number) => (now += ms) };
}

describe('TimerAuditRetentionSchedule (single-instance mode)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every interval with the cutoff of its start, never two runs at once, and stops on shutdown', async () => {
    const { job, cutoffs, finish, tickClock } = recordingJob();
    const schedule = new TimerAuditRetentionSchedule(job, HOUR);
    schedule.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(HOUR - 1);
    expect(cutoffs).toEqual([]);

    await jest.advanceTimersByTimeAsync(1);
    expect(cutoffs).toEqual([1_000_000 - HOUR]);

    tickClock(HOUR);
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(cutoffs).toHaveLength(1);

    finish[0]();
    await schedule.whenIdle();
    tickClock(HOUR);
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(cutoffs).toEqual([1_000_000 - HOUR, 1_000_000 + HOUR]);

    finish[1]();
    await schedule.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5 * HOUR);
    expect(cutoffs).toHaveLength(2);
  });

  it('runs at once on runNow, with the given cutoff', async () => {
    const { job, cutoffs, finish } = recordingJob();
    const schedule = new TimerAuditRetentionSchedule(job, HOUR);
    const run = schedule.runNow(42);
    finish[0]();
    await expect(run).resolves.toMatchObject({ cutoff: 42 });
    expect(cutoffs).toEqual([42]);
    await schedule.close();
  });
});
