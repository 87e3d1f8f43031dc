import type { WhenReason } from './policy.types.js';

/**
 * The rule that decided a check, as far as the policy author wrote it.
 *
 * @example const rule: DecidingRule = { id: 'editor[0]', origin: 'policy.yaml', role: 'editor', inverted: false, reason: null };
 */
export interface DecidingRule {
  id: string;
  /** File path, `'options'`, or `'defineAbility'` for code-first rules. */
  origin: string;
  /** Role the rule belongs to; `null` for code-first rules. */
  role: string | null;
  inverted: boolean;
  reason: string | null;
}

/**
 * A rule about the checked action and subject that was left out because its `when` failed.
 *
 * @example const failed: FailedWhen = { ruleId: 'editor[1]', reason: 'outside_allowed_hours', detail: 'Sat 23:10 in Europe/Berlin is outside Mon-Fri 09:00-18:00' };
 */
export interface FailedWhen {
  ruleId: string;
  reason: WhenReason;
  detail: string;
}

/**
 * The outcome of one check, as the guard uses it.
 *
 * @example if (!decision.allowed) throw new ForbiddenException(decision.reason ?? undefined);
 */
export interface PolicyDecision {
  allowed: boolean;
  /**
   * Why it was denied, when the policy says: the `when` reason of the highest-priority rule whose
   * failing `when` alone stands between the request and an allow, else the `reason` of the
   * prohibition that decided. `null` when allowed or when no rule gives a reason.
   */
  reason: string | null;
  /** A subject type was checked and some rule only grants matching instances. */
  conditional: boolean;
  decidingRule: DecidingRule | null;
}

/**
 * What `PolicyService.explain()` answers: "may U do A on S now, and which rule decided".
 *
 * @example
 * // { allowed: false, reason: 'outside_allowed_hours', conditional: false, decidingRule: null,
 * //   failedWhen: [{ ruleId: 'reports-hours', reason: 'outside_allowed_hours', detail: '…' }],
 * //   policyVersion: '3' }
 */
export interface PolicyExplanation extends PolicyDecision {
  failedWhen: FailedWhen[];
  policyVersion: string;
}
