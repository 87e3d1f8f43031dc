import { IANAZone } from 'luxon';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FULL_DAY_NAMES = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
const ALL_DAYS = 0b1111111;

/**
 * A parsed hours window: minutes since local midnight and a weekday bitmask (bit 0 = Monday).
 *
 * @example
 * const window: TimeWindow = { days: 0b0011111, from: 540, to: 1080, tz: 'Europe/Berlin' };
 */
export interface TimeWindow {
  days: number;
  from: number;
  to: number;
  tz: string;
}

/**
 * Wall-clock reading of an instant in a zone: ISO weekday (1 = Monday) and minute of the day.
 *
 * @example const saturdayEvening: LocalTime = { weekday: 6, minute: 1390 };
 */
export interface LocalTime {
  weekday: number;
  minute: number;
}

/**
 * Parses `'Mon-Fri'`, `'Sat,Sun'`, `'Mon,Wed-Fri'`, `'Fri-Mon'` (wrapping) or a list of such parts
 * into a weekday bitmask. Returns `null` when a part is not understood.
 *
 * @example parseDays('Mon-Fri') // 0b0011111
 */
export function parseDays(spec: string | readonly string[] | undefined): number | null {
  if (spec === undefined) return ALL_DAYS;
  const parts = (typeof spec === 'string' ? [spec] : spec).flatMap((part) => part.split(','));
  if (parts.length === 0) return null;
  let mask = 0;
  for (const raw of parts) {
    const [first, last, ...rest] = raw.split('-').map((name) => dayIndex(name));
    if (first === null || last === null || rest.length > 0) return null;
    const end = last ?? first;
    for (let day = first; ; day = (day + 1) % 7) {
      mask |= 1 << day;
      if (day === end) break;
    }
  }
  return mask;
}

function dayIndex(name: string): number | null {
  const key = name.trim().toLowerCase();
  const index = key.length === 3 ? DAY_NAMES.indexOf(key) : FULL_DAY_NAMES.indexOf(key);
  return index >= 0 ? index : null;
}

/**
 * Parses `HH:mm` (00:00–23:59; `'24:00'` too when `allowEndOfDay`) into minutes since midnight, or
 * `null` when malformed.
 *
 * @example parseClock('09:30') // 570
 */
export function parseClock(text: string, allowEndOfDay = false): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (allowEndOfDay && hours === 24 && minutes === 0) return 1440;
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/**
 * Whether `tz` is an IANA time zone luxon (and the runtime's ICU data) knows.
 *
 * @example isKnownTimeZone('Europe/Berlin') // true
 */
export function isKnownTimeZone(tz: string): boolean {
  return typeof tz === 'string' && tz.length > 0 && IANAZone.isValidZone(tz);
}

const MINUTE = 60_000;
const offsetCache = new Map<string, { bucket: number; offsetMs: number }>();

/**
 * The weekday and minute of the day of `now` on the wall clock of `tz`. The zone's UTC offset is
 * asked of luxon once per zone and UTC minute (every offset change in the time zone database
 * since 1975 happens on a whole UTC minute; some, e.g. Asia/Gaza, not on a quarter-hour) and the
 * rest is arithmetic, so the hot path rarely reaches luxon.
 *
 * @example localTimeIn('Europe/Berlin', Date.UTC(2026, 0, 5, 8, 0)) // { weekday: 1, minute: 540 }
 */
export function localTimeIn(tz: string, now: number): LocalTime {
  const bucket = Math.floor(now / MINUTE);
  let cached = offsetCache.get(tz);
  if (!cached || cached.bucket !== bucket) {
    const offsetMs = IANAZone.create(tz).offset(bucket * MINUTE) * MINUTE;
    if (offsetCache.size > 256) offsetCache.clear();
    cached = { bucket, offsetMs };
    offsetCache.set(tz, cached);
  }
  const localMinute = Math.floor((now + cached.offsetMs) / MINUTE);
  const day = Math.floor(localMinute / 1440);
  return { weekday: ((((day + 3) % 7) + 7) % 7) + 1, minute: localMinute - day * 1440 };
}

/**
 * Whether the instant `now` falls in the window, comparing wall-clock time in the window's zone.
 * A window crossing midnight (`22:00`–`06:00`) belongs to the weekday it starts on: with
 * `days: 'Fri'` it covers Friday 22:00 to Saturday 06:00.
 *
 * @example isWithinWindow(window, Date.now())
 */
export function isWithinWindow(window: TimeWindow, now: number): boolean {
  const { weekday, minute } = localTimeIn(window.tz, now);
  const today = 1 << (weekday - 1);
  if (window.from < window.to) {
    return (window.days & today) !== 0 && minute >= window.from && minute < window.to;
  }
  const yesterday = 1 << ((weekday + 5) % 7);
  return (
    ((window.days & today) !== 0 && minute >= window.from) ||
    ((window.days & yesterday) !== 0 && minute < window.to)
  );
}

/**
 * Formats a local time for explanations, e.g. `'Sat 23:10'`.
 *
 * @example formatLocalTime({ weekday: 6, minute: 1390 }) // 'Sat 23:10'
 */
export function formatLocalTime(time: LocalTime): string {
  const name = DAY_NAMES[time.weekday - 1];
  const clock = `${pad(Math.floor(time.minute / 60))}:${pad(time.minute % 60)}`;
  return `${name[0].toUpperCase()}${name.slice(1)} ${clock}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
