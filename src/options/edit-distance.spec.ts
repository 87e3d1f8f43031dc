import fc from 'fast-check';
import { closestKey, editDistance } from './edit-distance.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['idelTimeout', 'idleTimeout', 1],
    ['ca', 'abc', 3],
    ['backoff', 'backof', 1],
  ])('counts %p -> %p as %p edits', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });

  it('is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }),
    );
  });
});

describe('closestKey', () => {
  const known = ['idleTimeout', 'absoluteTimeout', 'touchInterval'];

  it('suggests the key a typo was meant to be', () => {
    expect(closestKey('idelTimeout', known)).toBe('idleTimeout');
    expect(closestKey('IdleTimeout', known)).toBe('idleTimeout');
    expect(closestKey('touchIntervall', known)).toBe('touchInterval');
    expect(closestKey('touch', known)).toBe('touchInterval');
  });

  it('suggests nothing for a key that is not near any known one', () => {
    expect(closestKey('colour', known)).toBeNull();
    expect(closestKey('x', ['y'])).toBeNull();
  });
});
