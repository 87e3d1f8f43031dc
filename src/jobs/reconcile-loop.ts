import { Logger } from '@nestjs/common';

/** DI token of the reconcile interval in ms (module extra `reconcileInterval`, default 15 s). */
export const JOB_RECONCILE_INTERVAL = Symbol('SESSION_SECURITY_JOB_RECONCILE_INTERVAL');
/** Interval of the job reconcilers when the module sets none: 15 s. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 15_000;

/** Lets a pass that streams many rows stop between batches when the app closes. */
export interface ReconcileSignal {
  readonly stopped: boolean;
}

/**
 * Runs a reconcile pass in the background: the first soon after `start()` (which returns at
 * once, so startup never waits for it), then `intervalMs` after each pass ends — passes never
 * overlap. A failing pass is logged and tried again at the next tick. `stop()` ends the loop and
 * waits for the pass under way, which sees `signal.stopped` and stops after its current batch.
 *
 * @example
 * const loop = new ReconcileLoop('revocation jobs', 15_000, (signal) => reconcile(signal));
 * loop.start(); // in onApplicationBootstrap
 * await loop.stop(); // in beforeApplicationShutdown
 */
export class ReconcileLoop {
  private readonly logger: Logger;
  private readonly signal = { stopped: false };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private completed = 0;
  private readonly waiters: Array<{ passes: number; resolve: () => void }> = [];

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly pass: (signal: ReconcileSignal) => Promise<void>,
    logContext = 'SessionSecurityJobs',
  ) {
    this.logger = new Logger(logContext);
  }

  /** Passes finished so far (successful or not). */
  get passes(): number {
    return this.completed;
  }

  /**
   * Resolves once `count` passes have finished since the app started (at once if they have, or
   * when the loop is stopped): e.g. `afterPasses(1)` after the startup scan.
   */
  afterPasses(count: number): Promise<void> {
    if (this.completed >= count || this.signal.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ passes: count, resolve }));
  }

  start(): void {
    if (this.signal.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.signal.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.completed++;
        for (const waiter of this.waiters.filter((w) => w.passes <= this.completed)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        if (!this.signal.stopped) this.schedule(this.intervalMs);
      });
    }, delay);
    this.timer.unref?.();
  }

  private async runOnce(): Promise<void> {
    try {
      await this.pass(this.signal);
    } catch (error) {
      this.logger.warn(`reconciling ${this.name} failed: ${(error as Error).message}`);
    }
  }
}
