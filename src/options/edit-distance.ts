/**
 * The edit distance between two strings (optimal string alignment): how many single-character
 * insertions, deletions, substitutions or swaps of two neighbours turn one into the other.
 *
 * @example editDistance('idelTimeout', 'idleTimeout') // 1
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
      }
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/**
 * The known key closest to a mistyped one, or `null` when none is close enough to be a typo
 * (at most a third of the key's length away, case ignored); a key that only one known key
 * starts with (`sweep` for `sweepInterval`) is taken as that one cut short.
 *
 * @example closestKey('idelTimeout', ['idleTimeout', 'absoluteTimeout']) // 'idleTimeout'
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  const extended = known.filter((k) => lower.length >= 4 && k.toLowerCase().startsWith(lower));
  if (extended.length === 1) return extended[0];
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
