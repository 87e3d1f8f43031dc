import { DateTime } from 'luxon';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads an ISO date (`2026-06-30`) or date-time (`2026-06-30T18:00`, `2026-06-30T16:00Z`) as an
 * instant. A date-only value means the start of that day in `tz`, or — as the end of a range
 * (`edge: 'end'`) — the start of the next day, so the named day is included. Returns `null` when
 * the text is not a real date.
 *
 * @example parseInstant('2026-06-30', 'UTC', 'end') // Date.UTC(2026, 6, 1)
 */
export function parseInstant(text: string, tz: string, edge: 'start' | 'end'): number | null {
  if (typeof text !== 'string') return null;
  if (DATE_ONLY.test(text)) {
    const day = DateTime.fromISO(text, { zone: tz });
    if (!day.isValid) return null;
    return (edge === 'end' ? day.plus({ days: 1 }) : day).startOf('day').toMillis();
  }
  if (!DATE_TIME.test(text)) return null;
  const instant = DateTime.fromISO(text, { zone: tz });
  return instant.isValid ? instant.toMillis() : null;
}

/**
 * Formats an instant for explanations, in UTC.
 *
 * @example formatInstant(0) // '1970-01-01T00:00:00Z'
 */
export function formatInstant(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('.000Z', 'Z');
}
