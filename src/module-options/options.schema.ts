import { z } from 'zod';
import { auditSection } from '../audit/audit-config.js';
import type { Clock } from '../common/clock.js';
import { liveSection } from '../live/live-options.js';
import { permissionChangeSection } from '../permission-changes/permission-change.options.js';
import { policySection } from '../policy/policy-config.js';
import type { SessionUserDirectory } from '../session/session-user-directory.interface.js';
import { DEFAULT_SIGNAL_POLICY, SIGNAL_ACTIONS } from '../session/signal-policy.js';
import type { RpcTokenExtractor } from '../surfaces/guarded-call.js';
import {
  booleanOption,
  durationOption,
  functionOption,
  instanceOption,
  integerOption,
  keyPrefixOption,
} from '../options/option-schemas.js';
import { redisOption } from '../options/redis-option.js';

const sessionCount = () => integerOption(1, 1, 10_000).unwrap();

/** `session.limit`: how many live sessions a user may have at once (off when left out). */
export const sessionLimitSection = z.strictObject({
  maxSessions: sessionCount().optional(),
  perRole: z.record(z.string().min(1, 'a role name must not be empty'), sessionCount()).default({}),
  policy: z
    .enum(['end-oldest', 'refuse-new'], "must be 'end-oldest' or 'refuse-new'")
    .default('end-oldest'),
});

/** Browsers keep a cookie at most 400 days; a remembered session cannot outlive its cookie. */
const MAX_REMEMBERED_MS = 400 * 24 * 3_600_000;
/** The longest replay grace window accepted: a rotated token stays usable at most this long. */
export const MAX_REPLAY_GRACE_MS = 60_000;

/** `session.rememberMe`: the lifetime and token rotation of remembered (remember-me) sessions. */
export const rememberMeSection = z.strictObject({
  idleTimeout: durationOption('7d', { max: MAX_REMEMBERED_MS }),
  absoluteTimeout: durationOption('30d', { max: MAX_REMEMBERED_MS }),
  rotateAfter: durationOption('1m'),
  replayGrace: durationOption('10s', { max: MAX_REPLAY_GRACE_MS }),
});

const signalAction = () => z.enum(SIGNAL_ACTIONS, "must be 'ignore', 'record', 'step-up' or 'end'");

/** `session.signals`: what a request from another client than the session's does, per signal. */
export const signalsSection = z.strictObject({
  userAgent: signalAction().default(DEFAULT_SIGNAL_POLICY.userAgent),
  network: signalAction().default(DEFAULT_SIGNAL_POLICY.network),
  country: signalAction().default(DEFAULT_SIGNAL_POLICY.country),
});

/** The longest impersonation an option may allow: support work is counted in hours, not days. */
export const MAX_IMPERSONATION_MS = 24 * 3_600_000;

/** `session.impersonation`: how long an admin may hold an impersonation session at most. */
export const impersonationSection = z.strictObject({
  maxDuration: durationOption('1h', { max: MAX_IMPERSONATION_MS }),
});

/** `session`: how long a session lives, and how many a user may have. */
export const sessionSection = z.strictObject({
  idleTimeout: durationOption('30m'),
  absoluteTimeout: durationOption('12h'),
  touchInterval: durationOption('60s'),
  limit: sessionLimitSection.optional(),
  rememberMe: rememberMeSection.prefault({}),
  signals: signalsSection.prefault({}),
  impersonation: impersonationSection.prefault({}),
});

/** `cookie`: the session cookie. */
export const cookieSection = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,32}$/,
      "1-32 letters, digits, '_' or '-' (the __Host- prefix is added)",
    )
    .default('t'),
  sameSite: z.enum(['lax', 'strict'], "must be 'lax' or 'strict'").default('lax'),
});

/** `csrf`: which unsafe requests are accepted. */
export const csrfSection = z.strictObject({
  allowedOrigins: z.array(z.url('must be an origin such as https://app.example.com')).default([]),
  headerName: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/i, '1-64 letters, digits or -')
    .default('x-csrf-token'),
  jsonOnly: booleanOption(true),
});

/** `freshAuth`: defaults of `@RequireFreshAuth()` and the auth levels. */
export const freshAuthSection = z.strictObject({
  maxAge: durationOption('5m'),
  levels: z
    .array(z.string().min(1, 'must be a non-empty string'))
    .min(1, 'must name at least one level')
    .default(['password', 'mfa']),
});

/** `throttle`: failed login attempts. Every throttle setting belongs in this one place. */
export const throttleSection = z.strictObject({
  /** `false` loosens a secure default: only for apps that throttle sign-ins elsewhere. */
  enabled: booleanOption(true),
  maxAttempts: integerOption(5, 1, 1000),
  /** Per client IP, whatever the username; left out: 100, or `maxAttempts` if higher. */
  maxAttemptsPerIp: integerOption(100, 1, 100_000).unwrap().optional(),
  window: durationOption('15m'),
});

/** `surfaces`: calls off HTTP. */
export const surfacesSection = z.strictObject({
  rpc: z
    .strictObject({
      token: functionOption<RpcTokenExtractor>('a function (data, context) => token').optional(),
    })
    .default({}),
});

/**
 * The whole `forRoot` / `forRootAsync` options: every section a feature contributes, composed
 * once. Strict at every level: an unknown key anywhere is an error naming it.
 */
export const optionsSchema = z.strictObject({
  dataSource: z.unknown(),
  secret: z
    .string('must be a string of at least 32 characters')
    .min(32, 'must be at least 32 characters (e.g. 32 random bytes, base64)'),
  redis: redisOption,
  redisKeyPrefix: keyPrefixOption(0).default('ss:'),
  session: sessionSection.prefault({}),
  cookie: cookieSection.prefault({}),
  csrf: csrfSection.prefault({}),
  freshAuth: freshAuthSection.prefault({}),
  throttle: throttleSection.prefault({}),
  trustProxy: z.array(z.string('must be a CIDR such as 10.0.0.0/8')).default([]),
  allowBearer: booleanOption(false),
  users: instanceOption<SessionUserDirectory>('a SessionUserDirectory').optional(),
  policy: policySection.prefault({}),
  audit: auditSection.prefault({}),
  permissionChanges: permissionChangeSection.prefault({}),
  surfaces: surfacesSection.prefault({}),
  live: liveSection.prefault({}),
  clock: instanceOption<Clock>('a Clock ({ now(): number })').optional(),
});

/** The options after the schema: every section with its defaults, durations in ms. */
export type ParsedOptions = z.output<typeof optionsSchema>;
