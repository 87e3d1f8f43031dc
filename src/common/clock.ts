/**
 * Source of the current time for every expiry and freshness decision. Inject it with
 * `@Inject(Clock)`; tests replace it with a {@link ManualClock} and move time instead of sleeping.
 *
 * @example
 * constructor(@Inject(Clock) private readonly clock: Clock) {}
 * const now = this.clock.now(); // epoch milliseconds
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
}
export const Clock = Symbol('Clock');

/** The wall clock; the default {@link Clock}. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
