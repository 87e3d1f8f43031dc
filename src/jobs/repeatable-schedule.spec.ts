import { jest } from '@jest/globals';
import { JobQueues } from './job-queues.js';
import type { JobRun } from './job-queue.js';
import { TimerRepeatableSchedule, type RepeatableScheduleSpec } from './repeatable-schedule.js';

const HOUR = 3600 * 1000;

interface Data {
  cutoff?: number;
}

/** A schedule whose handler fixes a cutoff on the first try, records it, and finishes when told. */
function recordingSpec() {
  const cutoffs: Array<number | undefined> = [];
  const finish: Array<() => void> = [];
  let now = 1_000_000;
  const spec: RepeatableScheduleSpec<Data, { cutoff: number }> = {
    name: 'session-security-test',
    jobName: 'prune',
    everyMs: HOUR,
    data: {},
    worker: true,
    retry: { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
    handler: async (run: JobRun<Data>) => {
      if (run.data.cutoff === undefined) await run.update({ cutoff: now - HOUR });
      const cutoff = run.data.cutoff!;
      cutoffs.push(cutoff);
      await new Promise<void>((resolve) => finish.push(resolve));
      return { cutoff };
    },
  };
  return { spec, cutoffs, finish, tickClock: (ms: number) => (now += ms) };
}

describe('the repeatable schedule in single-instance mode', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every interval with the data its first try fixed, never two runs at once, and stops on shutdown', async () => {
    const { spec, cutoffs, finish, tickClock } = recordingSpec();
    const schedule = new JobQueues({ redis: null, prefix: 'ss:bull' }).repeat(spec);
    expect(schedule).toBeInstanceOf(TimerRepeatableSchedule);
    const timer = schedule as TimerRepeatableSchedule<Data, { cutoff: number }>;
    timer.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(HOUR - 1);
    expect(cutoffs).toEqual([]);

    await jest.advanceTimersByTimeAsync(1);
    expect(cutoffs).toEqual([1_000_000 - HOUR]);

    tickClock(HOUR);
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(cutoffs).toHaveLength(1);

    finish[0]();
    await timer.whenIdle();
    tickClock(HOUR);
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(cutoffs).toEqual([1_000_000 - HOUR, 1_000_000 + HOUR]);

    finish[1]();
    await timer.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5 * HOUR);
    expect(cutoffs).toHaveLength(2);
  });

  it('runs at once on runNow, with the given data', async () => {
    const { spec, cutoffs, finish } = recordingSpec();
    const schedule = new JobQueues({ redis: null, prefix: 'ss:bull' }).repeat(spec)!;
    const run = schedule.runNow({ cutoff: 42 });
    await jest.advanceTimersByTimeAsync(0);
    finish[0]();
    await expect(run).resolves.toEqual({ cutoff: 42 });
    expect(cutoffs).toEqual([42]);
    await schedule.close();
  });

  it('is not scheduled at all in a process that is not a worker', () => {
    const { spec } = recordingSpec();
    const queues = new JobQueues({ redis: null, prefix: 'ss:bull' });
    expect(queues.repeat({ ...spec, worker: false })).toBeNull();
  });
});
