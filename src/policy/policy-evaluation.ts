import { checkAccess, ruleConcerns, type AccessCheck } from './access-check.js';
import { ruleMeta, type CompiledRule, type RoleSet } from './policy-compiler.js';
import type {
  DecidingRule,
  FailedWhen,
  PolicyDecision,
  PolicyExplanation,
} from './policy-decision.types.js';
import { traceRules, type PolicyTrace } from './policy-trace.js';
import type { PolicyAbility, PolicyContext, PolicyUser, WhenReason } from './policy.types.js';
import { evaluateWhen, whenFailure, type WhenEnv } from './when-evaluator.js';

const MAX_COUNTERFACTUALS = 16;

/**
 * The policy applied to one user and one request context: the ability plus what is needed to
 * explain a denial. Made by `PolicyService.evaluate()`; cheap, one per request.
 *
 * @example
 * const evaluation = policyService.evaluate(user, context);
 * const decision = evaluation.check('update', article);
 */
export class PolicyEvaluation {
  constructor(
    readonly user: PolicyUser,
    readonly context: PolicyContext,
    readonly ability: PolicyAbility,
    /** The `'1'`/`'0'` outcome of each distinct `when` of the role set. */
    readonly outcomes: string,
    /** The cache key of `ability`. */
    readonly key: string,
    private readonly set: RoleSet,
    private readonly env: WhenEnv,
    private readonly policyVersion: string,
    private readonly abilityWithRule: (ruleIndex: number) => PolicyAbility,
  ) {}

  /**
   * Checks `action` on an instance (CASL's decision) or on a subject type (allowed only if allowed
   * on every instance), with the denial reason.
   */
  check(action: string, subject: object | string, field?: string): PolicyDecision {
    const result = checkAccess(this.ability, action, subject, field);
    return this.decision(
      result,
      action,
      subject,
      (ability) => checkAccess(ability, action, subject, field).allowed,
    );
  }

  /**
   * Whether `action` may be allowed on *some* instance of `subjectType` (CASL's type-level `can`):
   * the cheap pre-check before an instance is loaded, so a user who may never do it gets 403
   * without a lookup.
   */
  checkAny(action: string, subjectType: string): PolicyDecision {
    const rule = this.ability.relevantRuleFor(action, subjectType);
    const result = { allowed: rule !== null && !rule.inverted, rule, conditional: false };
    return this.decision(result, action, subjectType, (ability) =>
      ability.can(action, subjectType),
    );
  }

  /** {@link check} plus every rule about this action and subject whose `when` failed. */
  explain(action: string, subject: object | string): PolicyExplanation {
    const decision = this.check(action, subject);
    const type = this.subjectType(subject);
    const failedWhen: FailedWhen[] = [];
    this.set.rules.forEach((rule, index) => {
      const at = this.set.whenIndex[index];
      if (at < 0 || this.outcomes[at] === '1') return;
      if (!ruleConcerns(rule.actions, rule.subjects, action, type)) return;
      const outcome = evaluateWhen(this.set.whens[at], this.env);
      if (!outcome.pass) {
        failedWhen.push({ ruleId: rule.id, reason: outcome.reason, detail: outcome.detail });
      }
    });
    return { ...decision, failedWhen, policyVersion: this.policyVersion };
  }

  /**
   * {@link explain} plus every rule of the user's roles and what became of it (decided,
   * overridden, `when` failed and why, conditions not met, about something else).
   */
  trace(action: string, subject: object | string): PolicyTrace {
    const explanation = this.explain(action, subject);
    const subjectType = this.subjectType(subject);
    const rules = traceRules(
      this.set,
      this.outcomes,
      this.env,
      this.ability,
      action,
      subject,
      subjectType,
    );
    return { ...explanation, action, subjectType, rules };
  }

  /**
   * For a denial decided by code (e.g. `@CheckPolicies` handlers): the `when` reason of the
   * highest-priority rule whose failing `when` alone turns `passes` true, or `null`.
   */
  async whenReason(
    passes: (ability: PolicyAbility) => boolean | Promise<boolean>,
  ): Promise<WhenReason | null> {
    for (const [index, whenAt] of this.candidates()) {
      if (await passes(this.abilityWithRule(index))) {
        return whenFailure(this.set.whens[whenAt], this.env);
      }
    }
    return null;
  }

  private decision(
    result: AccessCheck,
    action: string,
    subject: object | string,
    passes: (ability: PolicyAbility) => boolean,
  ): PolicyDecision {
    return {
      allowed: result.allowed,
      reason: result.allowed ? null : this.reasonFor(action, subject, result, passes),
      conditional: result.conditional,
      decidingRule: result.rule ? describeRule(result.rule.origin) : null,
    };
  }

  private reasonFor(
    action: string,
    subject: object | string,
    result: AccessCheck,
    passes: (ability: PolicyAbility) => boolean,
  ): string | null {
    const type = this.subjectType(subject);
    const concerned = (rule: CompiledRule) =>
      ruleConcerns(rule.actions, rule.subjects, action, type);
    for (const [index, whenAt] of this.candidates(concerned)) {
      if (passes(this.abilityWithRule(index))) return whenFailure(this.set.whens[whenAt], this.env);
    }
    return result.rule?.inverted ? (result.rule.reason ?? null) : null;
  }

  /** Allow rules left out by a failing `when`, highest priority first, bounded. */
  private *candidates(
    relevant: (rule: CompiledRule) => boolean = () => true,
  ): Generator<[number, number]> {
    let tried = 0;
    for (let index = this.set.rules.length - 1; index >= 0; index--) {
      const whenAt = this.set.whenIndex[index];
      const rule = this.set.rules[index];
      if (whenAt < 0 || this.outcomes[whenAt] === '1' || rule.inverted || !relevant(rule)) continue;
      if (tried++ >= MAX_COUNTERFACTUALS) return;
      yield [index, whenAt];
    }
  }

  private subjectType(subject: object | string): string {
    if (typeof subject === 'string') return subject;
    const type = this.ability.detectSubjectType(subject as never) as unknown;
    return typeof type === 'function' ? ((type as { name: string }).name ?? '') : String(type);
  }
}

/**
 * The author-facing description of a CASL rule (by the raw rule CASL keeps as `origin`).
 *
 * @example describeRule(ability.relevantRuleFor('read', 'Article')!.origin)
 */
export function describeRule(raw: object): DecidingRule {
  const meta = ruleMeta(raw);
  const rule = raw as { inverted?: boolean; reason?: string };
  return {
    id: meta?.id ?? 'unknown',
    origin: meta?.origin ?? 'unknown',
    role: meta?.role ?? null,
    inverted: rule.inverted === true,
    reason: rule.reason ?? null,
  };
}
