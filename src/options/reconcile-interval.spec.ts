import { resolveReconcileInterval } from './reconcile-interval.js';

describe('resolveReconcileInterval', () => {
  it('defaults to 15 s and reads durations', () => {
    expect(resolveReconcileInterval(undefined)).toBe(15_000);
    expect(resolveReconcileInterval('5s')).toBe(5_000);
    expect(resolveReconcileInterval(250)).toBe(250);
  });

  it.each([['soon'], [50], ['2h'], [-1]])('refuses %j, naming the option', (value) => {
    expect(() => resolveReconcileInterval(value)).toThrow(/reconcileInterval/);
  });
});
