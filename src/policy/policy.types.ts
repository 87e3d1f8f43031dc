import type { AbilityBuilder, MongoAbility } from '@casl/ability';
import type { Duration } from '../common/duration.js';

/**
 * The CASL ability the policy engine builds: string actions, string (or class) subject types and
 * MongoDB-style conditions.
 *
 * @example
 * const ability: PolicyAbility = policyService.abilityFor(user, context);
 * ability.can('read', 'Article'); // true or false
 */
export type PolicyAbility = MongoAbility;

/**
 * A policy as written in module options or a YAML/JSON file.
 *
 * @example
 * const document: PolicyDocument = {
 *   networks: { internal: ['10.0.0.0/8'] },
 *   roles: { admin: [{ action: 'manage', subject: 'all', when: { network: 'internal' } }] },
 * };
 */
export interface PolicyDocument {
  /** Version reported by `explain()` and used in cache keys; a content hash when omitted. */
  version?: number | string;
  /** Named CIDR sets that `when.network` / `when.notNetwork` may refer to. */
  networks?: Record<string, string[]>;
  /** The rules of each role, in priority order (a later rule beats an earlier one, as in CASL). */
  roles: Record<string, PolicyRule[]>;
}

/**
 * One CASL rule plus an optional request-context condition (`when`).
 *
 * @example
 * const rule: PolicyRule = {
 *   action: ['read', 'update'],
 *   subject: 'Article',
 *   conditions: { authorId: '${user.id}' },
 * };
 */
export interface PolicyRule {
  /** Stable id used by `explain()` and audit; defaults to `<role>[<index>]`. */
  id?: string;
  action: string | string[];
  subject: string | string[];
  /** MongoDB-style conditions on the resource; `'${user.id}'` / `'${user.tenantId}'` allowed. */
  conditions?: Record<string, unknown>;
  fields?: string | string[];
  /** `true` turns the rule into a prohibition (`cannot`). */
  inverted?: boolean;
  /** Machine-readable denial reason sent with the 403 when this prohibition decides. */
  reason?: string;
  /** Request-context condition; a rule whose `when` fails is left out of the ability. */
  when?: WhenBlock;
}

/**
 * A time window on given weekdays in a time zone. `from` is inclusive, `to` exclusive; a window
 * with `to` earlier than `from` crosses midnight and belongs to the weekday it starts on.
 *
 * @example
 * const window: HoursWindow = { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' };
 */
export interface HoursWindow {
  /** `'Mon-Fri'`, `'Sat,Sun'`, `'Mon,Wed-Fri'` or a list of such parts; every day when omitted. */
  days?: string | string[];
  /** `HH:mm`, 24-hour clock. */
  from: string;
  /** `HH:mm`, 24-hour clock; `'24:00'` means the end of the day. */
  to: string;
  /** IANA time zone, e.g. `'Europe/Berlin'`. */
  tz: string;
}

/**
 * A date range. Date-only values are whole days in `tz` (default UTC): `to: '2026-06-30'` includes
 * that day. Date-times without an offset are read in `tz`.
 *
 * @example
 * const range: DateRange = { to: '2026-06-30', tz: 'Europe/Berlin' };
 */
export interface DateRange {
  from?: string;
  to?: string;
  tz?: string;
}

/**
 * Conditions on the request context; every condition given must hold.
 *
 * @example
 * const when: WhenBlock = { hours: { from: '22:00', to: '06:00', tz: 'UTC' }, network: 'internal' };
 */
export interface WhenBlock {
  hours?: HoursWindow;
  dates?: DateRange;
  /** Named network(s) or inline CIDRs the client address must be in. */
  network?: string | string[];
  /** Named network(s) or inline CIDRs the client address must not be in. */
  notNetwork?: string | string[];
  /** ISO 3166-1 alpha-2 codes the request must come from (an unknown country never matches). */
  country?: string[];
  /** Codes the request must not come from (an unknown country never matches either). */
  notCountry?: string[];
  /** Minimum authentication level, e.g. `'mfa'`, in the configured level order. */
  authLevel?: string;
  /** The session must be younger than this. */
  maxSessionAge?: Duration;
  /**
   * `false`: not in a remembered (remember-me) session — a remembered device gets less; `true`:
   * only in one. A request whose session kind is unknown satisfies neither.
   */
  remembered?: boolean;
  /**
   * `false`: not in an impersonation session — support staff acting as the user cannot do it;
   * `true`: only in one. A request whose session kind is unknown satisfies neither.
   */
  impersonated?: boolean;
}

/**
 * The principal a policy decision is about.
 *
 * @example
 * const user: PolicyUser = { id: '2', roles: ['editor'], tenantId: null };
 */
export interface PolicyUser {
  id: string | number;
  roles: readonly string[];
  tenantId?: string | number | null;
}

/**
 * Facts about the request, computed once per request and shared by every rule.
 *
 * @example
 * const context: PolicyContext = {
 *   now: Date.now(), ip: '10.0.0.7', country: 'DE', authLevel: 'mfa',
 *   sessionCreatedAt: Date.now() - 60_000, authenticatedAt: Date.now() - 60_000,
 * };
 */
export interface PolicyContext {
  /** Epoch milliseconds. */
  now: number;
  /** Client address after trusted-proxy resolution (`''` when unknown). */
  ip: string;
  /** ISO alpha-2 country code, upper case, or `null` when unknown. */
  country: string | null;
  authLevel: string | null;
  sessionCreatedAt: number | null;
  authenticatedAt: number | null;
  /** Whether the session is a remembered one; `null` or left out when unknown (no session). */
  remembered?: boolean | null;
  /** Whether the session is an impersonation one; `null` or left out when unknown (no session). */
  impersonated?: boolean | null;
}

/**
 * Code-first rules, added after the document's rules (so they take priority). Called on every
 * decision; an ability is built per request only when it adds rules.
 *
 * @example
 * const defineAbility: DefineAbilityHook = (user, context, { can }) => {
 *   if (user.roles.includes('support')) can('read', 'Ticket', { tenantId: user.tenantId });
 * };
 */
export type DefineAbilityHook = (
  user: PolicyUser,
  context: PolicyContext,
  builder: AbilityBuilder<PolicyAbility>,
) => void;

/**
 * Why a `when` block did not hold; also sent as the `reason` of a 403.
 *
 * @example
 * const reason: WhenReason = 'outside_allowed_hours';
 */
export type WhenReason =
  | 'outside_allowed_hours'
  | 'outside_allowed_dates'
  | 'network_not_allowed'
  | 'country_not_allowed'
  | 'insufficient_auth_level'
  | 'session_too_old'
  | 'remembered_session'
  | 'impersonation';
