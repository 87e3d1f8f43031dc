import fc from 'fast-check';
import { LruCache } from './ability-cache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry first', () => {
    const cache = new LruCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.keys()).toEqual(['a', 'c']);
  });

  it('never holds more than its capacity and keeps the latest entry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'))),
        (capacity, operations) => {
          const cache = new LruCache<string>(capacity);
          for (const [write, key] of operations) {
            if (write) cache.set(key, key);
            else cache.get(key);
            expect(cache.size).toBeLessThanOrEqual(capacity);
            if (write) expect(cache.get(key)).toBe(key);
          }
        },
      ),
    );
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow(/positive integer/);
  });
});
