import type ipaddr from 'ipaddr.js';
import { parseIp } from '../network/client-ip.js';
import { formatInstant } from './date-range.js';
import type { PolicyContext, WhenReason } from './policy.types.js';
import { formatLocalTime, isWithinWindow, localTimeIn } from './time-window.js';
import type { CompiledWhen } from './when-compiler.js';

/**
 * The request context prepared for `when` evaluation: the client address is parsed at most once
 * and the auth level is turned into a rank.
 *
 * @example const env = new WhenEnv(context, ['password', 'mfa']);
 */
export class WhenEnv {
  private parsedIp: ipaddr.IPv4 | ipaddr.IPv6 | null | undefined;
  readonly authRank: number;

  constructor(
    readonly context: PolicyContext,
    levels: readonly string[],
  ) {
    this.authRank = context.authLevel === null ? -1 : levels.indexOf(context.authLevel);
  }

  get ip(): ipaddr.IPv4 | ipaddr.IPv6 | null {
    if (this.parsedIp === undefined) this.parsedIp = parseIp(this.context.ip);
    return this.parsedIp;
  }
}

/**
 * The result of evaluating one `when` block.
 *
 * @example const outcome: WhenOutcome = { pass: false, reason: 'session_too_old', detail: '...' };
 */
export type WhenOutcome = { pass: true } | { pass: false; reason: WhenReason; detail: string };

const PASS: WhenOutcome = { pass: true };

/**
 * The first condition of `when` that does not hold, as a machine reason, or `null` when all hold.
 * Checked in this order: dates, hours, network, notNetwork, country, notCountry, authLevel,
 * maxSessionAge, remembered, impersonated. An unknown country, address, auth level, session age or session
 * kind never satisfies a condition that needs it.
 *
 * @example whenFailure(compileWhen({ country: ['DE'] }, {}, levels), env) // 'country_not_allowed'
 */
export function whenFailure(when: CompiledWhen, env: WhenEnv): WhenReason | null {
  const { now, country, sessionCreatedAt } = env.context;
  if (when.dates) {
    const { from, to } = when.dates;
    if ((from !== null && now < from) || (to !== null && now >= to)) return 'outside_allowed_dates';
  }
  if (when.window && !isWithinWindow(when.window, now)) return 'outside_allowed_hours';
  if (when.network && !when.network.contains(env.ip)) return 'network_not_allowed';
  if (when.notNetwork && (env.ip === null || when.notNetwork.contains(env.ip))) {
    return 'network_not_allowed';
  }
  if (when.country && (country === null || !when.country.has(country))) {
    return 'country_not_allowed';
  }
  if (when.notCountry && (country === null || when.notCountry.has(country))) {
    return 'country_not_allowed';
  }
  if (when.authLevel && (env.authRank < 0 || env.authRank < when.authLevel.rank)) {
    return 'insufficient_auth_level';
  }
  if (
    when.maxSessionAgeMs !== undefined &&
    (sessionCreatedAt === null || now - sessionCreatedAt > when.maxSessionAgeMs)
  ) {
    return 'session_too_old';
  }
  if (when.remembered !== undefined && (env.context.remembered ?? null) !== when.remembered) {
    return 'remembered_session';
  }
  if (when.impersonated !== undefined && (env.context.impersonated ?? null) !== when.impersonated) {
    return 'impersonation';
  }
  return null;
}

/**
 * Evaluates a `when` block and, when it fails, says why in words for `explain()`.
 *
 * @example evaluateWhen(compiled, env) // { pass: false, reason: 'outside_allowed_hours', detail: 'Sat 23:10 in Europe/Berlin is outside Mon-Fri 09:00-18:00' }
 */
export function evaluateWhen(when: CompiledWhen, env: WhenEnv): WhenOutcome {
  const reason = whenFailure(when, env);
  return reason === null ? PASS : { pass: false, reason, detail: describe(when, env, reason) };
}

function describe(when: CompiledWhen, env: WhenEnv, reason: WhenReason): string {
  const { context } = env;
  const source = when.source;
  switch (reason) {
    case 'outside_allowed_dates': {
      const from = when.dates?.from;
      const to = when.dates?.to;
      const range = `${from != null ? formatInstant(from) : '…'} to ${to != null ? formatInstant(to) : '…'}`;
      return `${formatInstant(context.now)} is outside ${range} (end exclusive)`;
    }
    case 'outside_allowed_hours': {
      const hours = source.hours!;
      const local = formatLocalTime(localTimeIn(hours.tz, context.now));
      const days = hours.days === undefined ? 'every day' : [hours.days].flat().join(',');
      return `${local} in ${hours.tz} is outside ${days} ${hours.from}-${hours.to}`;
    }
    case 'network_not_allowed':
      return `client address '${context.ip || 'unknown'}' is not allowed (network: ${list(source.network)}; notNetwork: ${list(source.notNetwork)})`;
    case 'country_not_allowed':
      return `country '${context.country ?? 'unknown'}' is not allowed (country: ${list(source.country)}; notCountry: ${list(source.notCountry)})`;
    case 'insufficient_auth_level':
      return `auth level '${context.authLevel ?? 'unknown'}' is below '${source.authLevel}'`;
    case 'session_too_old':
      return context.sessionCreatedAt === null
        ? 'session age is unknown'
        : `session is ${Math.round((context.now - context.sessionCreatedAt) / 1000)}s old, more than ${source.maxSessionAge}`;
    case 'remembered_session':
      return context.remembered == null
        ? 'whether the session is a remembered one is unknown'
        : context.remembered
          ? 'not allowed in a remembered (remember-me) session: sign in without remember me'
          : 'allowed only in a remembered session';
    case 'impersonation':
      return context.impersonated == null
        ? 'whether the session is an impersonation one is unknown'
        : context.impersonated
          ? 'not allowed while an admin impersonates the user'
          : 'allowed only in an impersonation session';
  }
}

function list(value: string | string[] | undefined): string {
  return value === undefined ? '-' : [value].flat().join(',');
}
