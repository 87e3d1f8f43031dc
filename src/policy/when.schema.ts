import { z } from 'zod';
import { parseInstant } from './date-range.js';
import { check, durationProblem, text, textOrList } from './schema-parts.js';
import { isKnownTimeZone, parseClock, parseDays } from './time-window.js';

const timeZone = text('time zone').pipe(
  check<string>((tz) => (isKnownTimeZone(tz) ? null : `unknown time zone '${tz}'`)),
);

const clock = (allowEndOfDay: boolean) =>
  text('time').pipe(
    check<string>((value) =>
      parseClock(value, allowEndOfDay) === null
        ? `invalid time '${value}' (use HH:mm from 00:00 to 23:59${allowEndOfDay ? ' or 24:00' : ''})`
        : null,
    ),
  );

const hoursSchema = z
  .strictObject({
    days: textOrList('days')
      .pipe(
        check<string | string[]>((days) =>
          parseDays(days) === null
            ? `invalid days ${JSON.stringify(days)} (use e.g. 'Mon-Fri', 'Sat,Sun', 'Mon,Wed-Fri')`
            : null,
        ),
      )
      .optional(),
    from: clock(false),
    to: clock(true),
    tz: timeZone,
  })
  .superRefine((hours, ctx) => {
    if (parseClock(hours.from) === parseClock(hours.to, true)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "must differ from 'from'" });
    }
  });

const datesSchema = z
  .strictObject({
    from: text('date').optional(),
    to: text('date').optional(),
    tz: timeZone.optional(),
  })
  .superRefine((dates, ctx) => {
    const tz = dates.tz && isKnownTimeZone(dates.tz) ? dates.tz : 'UTC';
    const from = dates.from === undefined ? null : parseInstant(dates.from, tz, 'start');
    const to = dates.to === undefined ? null : parseInstant(dates.to, tz, 'end');
    for (const [key, value, parsed] of [
      ['from', dates.from, from],
      ['to', dates.to, to],
    ] as const) {
      if (value !== undefined && parsed === null) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `invalid date '${value}' (use ISO 8601: 2026-06-30 or 2026-06-30T18:00)`,
        });
      }
    }
    if (dates.from === undefined && dates.to === undefined) {
      ctx.addIssue({ code: 'custom', message: "set 'from', 'to' or both" });
    } else if (from !== null && to !== null && from >= to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "must be later than 'from'" });
    }
  });

const countries = z
  .array(
    z
      .string({ error: 'expected an ISO 3166-1 alpha-2 code' })
      .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as DE'),
    { error: 'expected a list of ISO 3166-1 alpha-2 codes' },
  )
  .min(1, 'must list at least one country');

/**
 * The `when` block of a rule. Named networks and auth levels are checked against the rest of the
 * document by `validatePolicy`.
 *
 * @example whenSchema.parse({ hours: { from: '09:00', to: '18:00', tz: 'Europe/Berlin' } })
 */
export const whenSchema = z
  .strictObject(
    {
      hours: hoursSchema.optional(),
      dates: datesSchema.optional(),
      network: textOrList('network').optional(),
      notNetwork: textOrList('network').optional(),
      country: countries.optional(),
      notCountry: countries.optional(),
      authLevel: text('auth level').optional(),
      maxSessionAge: z
        .union([z.number(), z.string()], { error: "expected a duration such as '8h'" })
        .pipe(check<number | string>((value) => durationProblem(value)))
        .optional(),
      remembered: z
        .boolean({ error: 'expected true or false (false: not in a remembered session)' })
        .optional(),
      impersonated: z
        .boolean({ error: 'expected true or false (false: not while an admin impersonates)' })
        .optional(),
    },
    { error: 'expected an object of request conditions' },
  )
  .refine((when) => Object.keys(when).length > 0, 'must set at least one condition');
