import { ReconcileLoop, type ReconcileSignal } from './reconcile-loop.js';

describe('ReconcileLoop', () => {
  it('runs passes one after another, never two at once, until stopped', async () => {
    let running = 0;
    let overlapped = false;
    const loop = new ReconcileLoop('test', 1, async () => {
      running++;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    loop.start();
    loop.start(); // a second start is ignored
    await loop.afterPasses(3);
    await loop.stop();
    expect(loop.passes).toBeGreaterThanOrEqual(3);
    expect(overlapped).toBe(false);
    const stoppedAt = loop.passes;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(loop.passes).toBe(stoppedAt);
  });

  it('lets stop() wait for the pass under way, which sees the stop between its batches', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const batches: number[] = [];
    const loop = new ReconcileLoop('test', 60_000, async (signal: ReconcileSignal) => {
      for (let batch = 1; batch <= 10; batch++) {
        if (signal.stopped) return;
        batches.push(batch);
        started();
        await gate;
      }
    });
    loop.start();
    await begun;
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(batches).toEqual([1]);
  });

  it('keeps going after a pass that throws', async () => {
    let calls = 0;
    const loop = new ReconcileLoop('test', 1, async () => {
      calls++;
      if (calls === 1) throw new Error('redis went away');
    });
    loop.start();
    await loop.afterPasses(2);
    await loop.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
