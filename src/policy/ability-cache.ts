/**
 * A bounded map that forgets its least recently used entry when full.
 *
 * @example
 * const cache = new LruCache<PolicyAbility>(1000);
 * const ability = cache.get(key) ?? cache.set(key, build());
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();
  private newest: string | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`cache capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Stores `value` and returns it. */
  set(key: string, value: V): V {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, value);
    this.newest = key;
    return value;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}
