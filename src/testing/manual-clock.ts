import { Clock } from '../common/clock.js';
import { parseDuration } from '../common/duration.js';

/**
 * A {@link Clock} that follows the wall clock plus an offset which tests move forward, so
 * timeouts can be proven without sleeping.
 *
 * @example
 * const clock = new ManualClock();
 * clock.advance('31m'); // every idle timeout of 30 minutes has now passed
 */
export class ManualClock implements Clock {
  private offset = 0;
  private frozenAt: number | null = null;

  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offset;
  }

  /** Moves time forward by milliseconds or a duration such as `'5m'`. */
  advance(by: number | string): void {
    this.offset += typeof by === 'number' ? by : parseDuration(by, 'advance');
  }

  /** Stops the clock at the current reading (or at `at`), until {@link resume}. */
  freeze(at?: number): void {
    this.frozenAt = (at ?? this.now()) - this.offset;
  }

  resume(): void {
    this.frozenAt = null;
  }
}
