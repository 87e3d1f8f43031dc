import fc from 'fast-check';
import { InvalidDurationError, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['2s', 2_000],
    ['5m', 300_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    [1500, 1500],
  ])('reads %p as %p ms', (input, expected) => {
    expect(parseDuration(input, 'x')).toBe(expected);
  });

  it.each(['', 'soon', '-5m', '0s', 0, -1, Number.NaN, Infinity])(
    'rejects %p with an error naming the option',
    (input) => {
      expect(() => parseDuration(input as never, 'session.idleTimeout')).toThrow(
        /session\.idleTimeout: invalid duration/,
      );
    },
  );

  it('never throws anything but InvalidDurationError and never returns a non-positive value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer()), (input) => {
        try {
          expect(parseDuration(input, 'p')).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidDurationError);
        }
      }),
    );
  });

  it('round-trips whole minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (minutes) => {
        expect(parseDuration(`${minutes}m`, 'p')).toBe(minutes * 60_000);
      }),
    );
  });
});
