/**
 * The Levenshtein distance between two strings: how many single-character insertions, deletions
 * or substitutions turn one into the other.
 *
 * @example editDistance('idelTimeout', 'idleTimeout') // 2
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known key closest to a mistyped one, or `null` when none is close enough to be a typo
 * (at most a third of the key's length away, case ignored).
 *
 * @example closestKey('idelTimeout', ['idleTimeout', 'absoluteTimeout']) // 'idleTimeout'
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && distance < candidate.length) {
      [best, bestDistance] = [candidate, distance];
    }
  }
  return best;
}
