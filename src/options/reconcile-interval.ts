import { parseDuration, type Duration } from '../common/duration.js';
import { DEFAULT_RECONCILE_INTERVAL_MS } from '../jobs/reconcile-loop.js';

/**
 * Checks the module extra `reconcileInterval` at startup: a duration from 100 ms to 1 h (default
 * 15 s); anything else throws naming the option.
 *
 * @example resolveReconcileInterval('5s'); // 5000
 */
export function resolveReconcileInterval(value: Duration | undefined): number {
  if (value === undefined) return DEFAULT_RECONCILE_INTERVAL_MS;
  const ms = parseDuration(value, 'reconcileInterval');
  if (ms < 100 || ms > 3_600_000) {
    throw new RangeError(`reconcileInterval: must be from 100 ms to 1 h, got ${ms} ms`);
  }
  return ms;
}
