import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  formatLocalTime,
  isWithinWindow,
  localTimeIn,
  parseClock,
  parseDays,
  type TimeWindow,
} from './time-window.js';

const at = (iso: string) => Date.parse(iso);
const window = (days: string | undefined, from: string, to: string, tz: string): TimeWindow => ({
  days: parseDays(days)!,
  from: parseClock(from)!,
  to: parseClock(to, true)!,
  tz,
});
const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const year2026 = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) });
const minuteOfDay = fc.integer({ min: 0, max: 1439 });
const TRANSITIONS = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-04-04T15:00:00Z', // Lord Howe: back half an hour
  '2026-10-03T15:30:00Z', // Lord Howe: forward half an hour
].map((iso) => Date.parse(iso));
const nearTransitions = fc.oneof(
  ...TRANSITIONS.map((t) => fc.integer({ min: t - 4 * 3_600_000, max: t + 4 * 3_600_000 })),
);

describe('parseDays', () => {
  it.each([
    ['Mon-Fri', 0b0011111],
    ['Sat,Sun', 0b1100000],
    ['Mon,Wed-Fri', 0b0011101],
    ['Fri-Mon', 0b1110001],
    ['monday', 0b0000001],
    [['Mon', 'Sun'], 0b1000001],
    [undefined, 0b1111111],
  ])('reads %p', (spec, mask) => {
    expect(parseDays(spec as string)).toBe(mask);
  });

  it.each(['Mon-Fro', 'Mo', '', 'Mon-', 'Mon-Tue-Wed', 'Monx', []])('rejects %p', (spec) => {
    expect(parseDays(spec as string)).toBeNull();
  });

  it('reads any list of day names as exactly those days', () => {
    const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1 }), (days) => {
        const expected = days.reduce((mask, day) => mask | (1 << day), 0);
        expect(parseDays(days.map((day) => names[day]).join(','))).toBe(expected);
      }),
    );
  });
});

describe('parseClock', () => {
  it('reads every valid HH:mm and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (h, m) => {
        const text = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        expect(parseClock(text)).toBe(h < 24 && m < 60 ? h * 60 + m : null);
      }),
    );
  });

  it.each(['25:00', '9:00', '09:0', '24:00', '09:00:00', ' 09:00'])('rejects %p', (text) => {
    expect(parseClock(text)).toBeNull();
  });

  it("accepts '24:00' only as an end of day", () => {
    expect(parseClock('24:00', true)).toBe(1440);
  });
});

describe('isWithinWindow', () => {
  const office = window('Mon-Fri', '09:00', '18:00', 'Europe/Berlin');

  it.each([
    ['2026-03-27T07:59:00Z', false], // Fri 08:59 CET
    ['2026-03-27T08:00:00Z', true], // Fri 09:00 CET
    ['2026-03-27T16:59:59Z', true], // Fri 17:59 CET
    ['2026-03-27T17:00:00Z', false], // Fri 18:00 CET: the end is exclusive
    ['2026-03-28T10:00:00Z', false], // Saturday
    ['2026-03-30T07:00:00Z', true], // Mon 09:00 CEST, after the spring change
    ['2026-03-30T06:30:00Z', false], // Mon 08:30 CEST
  ])('office hours in Berlin at %s: %s', (instant, expected) => {
    expect(isWithinWindow(office, at(instant))).toBe(expected);
  });

  describe('a window crossing midnight belongs to the day it starts on', () => {
    const night = window('Fri', '22:00', '06:00', 'UTC');

    it.each([
      ['2026-03-27T23:00:00Z', true], // Fri 23:00
      ['2026-03-28T03:00:00Z', true], // Sat 03:00, still Friday's night
      ['2026-03-28T06:00:00Z', false], // Sat 06:00, the end is exclusive
      ['2026-03-28T23:00:00Z', false], // Sat 23:00
      ['2026-03-27T03:00:00Z', false], // Fri 03:00 belongs to Thursday's night
    ])('%s: %s', (instant, expected) => {
      expect(isWithinWindow(night, at(instant))).toBe(expected);
    });
  });

  describe('DST in Europe/Berlin', () => {
    it('2026-03-29: a window starting in the skipped hour opens when the clock jumps', () => {
      const skipped = window('Sun', '02:30', '03:30', 'Europe/Berlin');
      expect(isWithinWindow(skipped, at('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
      expect(isWithinWindow(skipped, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
      expect(isWithinWindow(skipped, at('2026-03-29T01:29:00Z'))).toBe(true); // 03:29 CEST
      expect(isWithinWindow(skipped, at('2026-03-29T01:30:00Z'))).toBe(false); // 03:30 CEST
    });

    it('2026-10-25: a window over the repeated hour matches both passes of it', () => {
      const repeated = window('Sun', '02:00', '03:00', 'Europe/Berlin');
      expect(isWithinWindow(repeated, at('2026-10-24T23:59:00Z'))).toBe(false); // 01:59 CEST
      expect(isWithinWindow(repeated, at('2026-10-25T00:00:00Z'))).toBe(true); // 02:00 CEST
      expect(isWithinWindow(repeated, at('2026-10-25T00:59:00Z'))).toBe(true); // 02:59 CEST
      expect(isWithinWindow(repeated, at('2026-10-25T01:00:00Z'))).toBe(true); // 02:00 CET
      expect(isWithinWindow(repeated, at('2026-10-25T01:59:00Z'))).toBe(true); // 02:59 CET
      expect(isWithinWindow(repeated, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    });
  });

  describe('DST in America/New_York', () => {
    const business = window('Mon-Fri', '09:00', '17:00', 'America/New_York');

    it('2026-03-08: opening moves from 14:00 to 13:00 UTC', () => {
      expect(isWithinWindow(business, at('2026-03-06T14:00:00Z'))).toBe(true); // Fri 09:00 EST
      expect(isWithinWindow(business, at('2026-03-06T13:30:00Z'))).toBe(false); // Fri 08:30 EST
      expect(isWithinWindow(business, at('2026-03-09T13:00:00Z'))).toBe(true); // Mon 09:00 EDT
      expect(isWithinWindow(business, at('2026-03-09T12:59:00Z'))).toBe(false); // Mon 08:59 EDT
    });

    it('2026-11-01: a night window lasts an hour longer and stays on Saturday', () => {
      const night = window('Sat', '22:00', '06:00', 'America/New_York');
      expect(isWithinWindow(night, at('2026-11-01T02:00:00Z'))).toBe(true); // Sat 22:00 EDT
      expect(isWithinWindow(night, at('2026-11-01T05:30:00Z'))).toBe(true); // Sun 01:30 EDT
      expect(isWithinWindow(night, at('2026-11-01T06:30:00Z'))).toBe(true); // Sun 01:30 EST
      expect(isWithinWindow(night, at('2026-11-01T10:59:00Z'))).toBe(true); // Sun 05:59 EST
      expect(isWithinWindow(night, at('2026-11-01T11:00:00Z'))).toBe(false); // Sun 06:00 EST
      expect(isWithinWindow(night, at('2026-11-08T03:00:00Z'))).toBe(true); // Sat 22:00 EST
      expect(isWithinWindow(night, at('2026-11-02T03:00:00Z'))).toBe(false); // Sun 22:00 EST
    });
  });

  it('a window and the window of the remaining hours never overlap and together cover the day', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        minuteOfDay,
        minuteOfDay,
        year2026,
        (tz, a, b, now) => {
          fc.pre(a !== b);
          const first = { days: 0b1111111, from: a, to: b, tz };
          const rest = { days: 0b1111111, from: b, to: a, tz };
          expect(isWithinWindow(first, now)).not.toBe(isWithinWindow(rest, now));
        },
      ),
    );
  });

  it('a window on days A∪B is the union of the windows on A and on B', () => {
    const mask = fc.integer({ min: 1, max: 0b1111111 });
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        mask,
        mask,
        minuteOfDay,
        minuteOfDay,
        year2026,
        (tz, a, b, from, to, now) => {
          fc.pre(from !== to);
          const on = (days: number) => isWithinWindow({ days, from, to, tz }, now);
          expect(on(a | b)).toBe(on(a) || on(b));
        },
      ),
    );
  });

  it('matches the wall clock luxon reads, across every DST change of 2026', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.oneof(year2026, nearTransitions),
        minuteOfDay,
        minuteOfDay,
        (tz, now, f, t) => {
          fc.pre(f < t);
          const local = DateTime.fromMillis(now, { zone: tz });
          const minute = local.hour * 60 + local.minute;
          const expected = minute >= f && minute < t;
          expect(isWithinWindow({ days: 0b1111111, from: f, to: t, tz }, now)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('localTimeIn', () => {
  it('reads the weekday and minute in the zone and formats it', () => {
    const time = localTimeIn('Europe/Berlin', at('2026-03-28T22:10:30Z'));
    expect(time).toEqual({ weekday: 6, minute: 23 * 60 + 10 });
    expect(formatLocalTime(time)).toBe('Sat 23:10');
  });

  it('does not reuse a reading across a minute boundary', () => {
    expect(localTimeIn('UTC', at('2026-01-01T00:00:59.999Z')).minute).toBe(0);
    expect(localTimeIn('UTC', at('2026-01-01T00:01:00Z')).minute).toBe(1);
  });
});
