import { InlineJobQueue } from './inline-job-queue.js';
import type { JobRun } from './job-queue.js';

describe('InlineJobQueue', () => {
  it('runs a job added to it', async () => {
    const seen: string[] = [];
    const queue = new InlineJobQueue<string>('t', async (job) => void seen.push(job.data));
    await queue.add('x', 'hello');
    await queue.whenIdle();
    expect(seen).toEqual(['hello']);
    await queue.close();
  });

  it('retries a failing job with exponential backoff until it succeeds', async () => {
    const tries: number[] = [];
    const queue = new InlineJobQueue<string>('t', async (job: JobRun<string>) => {
      tries.push(job.attemptsMade);
      if (job.attemptsMade < 2) throw new Error('not yet');
    });
    const started = Date.now();
    await queue.add('x', 'a', { attempts: 5, backoff: { type: 'exponential', delay: 20 } });
    await queue.whenIdle();
    expect(tries).toEqual([0, 1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await queue.close();
  });

  it('runs at most `concurrency` tries at once and the rest in the order they were added', async () => {
    let running = 0;
    let highest = 0;
    const order: number[] = [];
    const queue = new InlineJobQueue<number>(
      't',
      async (job) => {
        running++;
        highest = Math.max(highest, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(job.data);
        running--;
      },
      'test',
      2,
    );
    for (let i = 0; i < 6; i++) await queue.add('x', i);
    await queue.whenIdle();
    expect(highest).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    await queue.close();
  });

  it('gives up after the job attempts', async () => {
    let tries = 0;
    const queue = new InlineJobQueue<string>('t', async () => {
      tries++;
      throw new Error('never');
    });
    await queue.add('x', 'a', { attempts: 3, backoff: { type: 'fixed', delay: 1 } });
    await queue.whenIdle();
    expect(tries).toBe(3);
    await queue.close();
  });

  it('ignores a job whose id is already queued or running', async () => {
    let runs = 0;
    const queue = new InlineJobQueue<string>('t', async () => void runs++);
    await Promise.all([
      queue.add('x', 'a', { jobId: 'n:c' }),
      queue.add('x', 'a', { jobId: 'n:c' }),
    ]);
    await queue.whenIdle();
    expect(runs).toBe(1);
    await queue.close();
  });

  it('closes without waiting out a pending retry, and refuses new jobs', async () => {
    const queue = new InlineJobQueue<string>('t', async () => {
      throw new Error('down');
    });
    await queue.add('x', 'a', { attempts: 5, backoff: { type: 'fixed', delay: 60_000 } });
    await new Promise((resolve) => setImmediate(resolve));
    await queue.close();
    await expect(queue.add('x', 'b')).rejects.toThrow(/closed/);
  });
});
