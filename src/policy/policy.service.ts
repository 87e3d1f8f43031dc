import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { Inject, Injectable } from '@nestjs/common';
import { checkAccess } from './access-check.js';
import { LruCache } from './ability-cache.js';
import { templateValue } from './condition-template.js';
import {
  CompiledPolicy,
  linkRuleMeta,
  rawRulesFor,
  type PolicyRawRule,
  type RoleSet,
} from './policy-compiler.js';
import type { GeoResolver } from './geo-resolver.interface.js';
import {
  createPolicyConfig,
  POLICY_CONFIG,
  type PolicyOptions,
  type ResolvedPolicyConfig,
} from './policy-config.js';
import type { PolicyExplanation } from './policy-decision.types.js';
import { PolicyEvaluation } from './policy-evaluation.js';
import type { PolicyTrace } from './policy-trace.js';
import type { PolicyAbility, PolicyContext, PolicyUser } from './policy.types.js';
import { canonicalJson } from './when-compiler.js';
import { WhenEnv, whenFailure } from './when-evaluator.js';

/**
 * The policy engine: compiles the rules of each role set once, evaluates the `when` blocks of a
 * user's roles against the request context, and reuses a cached CASL ability per
 * (policy version, sorted role set, `when` outcomes[, template values of the user]).
 *
 * @example
 * const allowed = policyService.can(user, 'update', subject('Article', article), context);
 * const why = policyService.explain(user, 'read', 'Report', context);
 */
@Injectable()
export class PolicyService {
  private policy: CompiledPolicy;
  private cache: LruCache<PolicyAbility>;

  constructor(@Inject(POLICY_CONFIG) private config: ResolvedPolicyConfig) {
    this.policy = new CompiledPolicy(config);
    this.cache = new LruCache(config.cacheSize ?? 1000);
  }

  /** The policy in force: its validated document, origin, version and levels. */
  get current(): ResolvedPolicyConfig {
    return this.config;
  }

  /**
   * Validates a new policy (a `document` or a `file`) and, if it differs from the one in force,
   * puts it in force on this instance: every later decision uses it (cached abilities of the old
   * version are dropped). Code-first rules and the geo resolver stay unless given. Returns the
   * previous and the new policy, or `null` when nothing changed. Use `PolicyChanges` to also audit
   * the change and force re-authentication of the users who lose permissions.
   *
   * @throws PolicyValidationError naming each bad entry; the policy in force is then unchanged
   * @example policyService.load({ file: './policy.yaml' })?.next.version
   */
  load(
    options: PolicyOptions,
  ): { previous: ResolvedPolicyConfig; next: ResolvedPolicyConfig } | null {
    const fresh = createPolicyConfig(options, this.config.levels);
    const next: ResolvedPolicyConfig = {
      ...fresh,
      defineAbility: options.defineAbility ?? this.config.defineAbility,
      geo: options.geo ?? this.config.geo,
      cacheSize: this.config.cacheSize,
      decisionLog: this.config.decisionLog,
      watchMs: this.config.watchMs,
      reauthOnShrink: options.reauthOnShrink ?? this.config.reauthOnShrink,
    };
    const previous = this.config;
    if (next.version === previous.version && sameRules(next, previous)) return null;
    this.policy = new CompiledPolicy(next);
    this.cache = new LruCache(next.cacheSize ?? 1000);
    this.config = next;
    return { previous, next };
  }

  /**
   * Puts a policy that was in force back (the `previous` of a {@link load}), e.g. when the change
   * could not be recorded; abilities cached for the other version are dropped.
   *
   * @example policyService.restore(swap.previous)
   */
  restore(config: ResolvedPolicyConfig): void {
    this.policy = new CompiledPolicy(config);
    this.cache = new LruCache(config.cacheSize ?? 1000);
    this.config = config;
  }

  /**
   * Reads the policy file in force again ({@link load} with the same `file`); `null` when it did
   * not change or the policy does not come from a file.
   *
   * @example policyService.reloadFile()
   */
  reloadFile(): { previous: ResolvedPolicyConfig; next: ResolvedPolicyConfig } | null {
    return this.config.file ? this.load({ file: this.config.file }) : null;
  }

  /** The policy version: part of every cache key and of every explanation. */
  get version(): string {
    return this.config.version;
  }

  /** Where the rules came from (file path, `'options'` or `'none'`). */
  get origin(): string {
    return this.config.origin;
  }

  /** Whether any rule needs the request's country. */
  get usesCountry(): boolean {
    return this.policy.usesCountry;
  }

  /** The `GeoResolver` given in the policy options, if any. */
  get geoResolver(): GeoResolver | undefined {
    return this.config.geo;
  }

  /** Number of abilities currently cached. */
  get cachedAbilities(): number {
    return this.cache.size;
  }

  /** Applies the policy to a user in a request context; the basis of every other method. */
  evaluate(user: PolicyUser, context: PolicyContext): PolicyEvaluation {
    const set = this.policy.roleSet(user.roles);
    const env = new WhenEnv(context, this.config.levels);
    let outcomes = '';
    for (const when of set.whens) outcomes += whenFailure(when, env) === null ? '1' : '0';
    const key = this.keyOf(set, outcomes, user);
    const extra = this.codeRules(user, context);
    const cached = this.cache.get(key) ?? this.cache.set(key, this.build(set, outcomes, user));
    const ability = extra.length > 0 ? createMongoAbility([...cached.rules, ...extra]) : cached;
    const withRule = (index: number) => {
      const variant = `${key}+${index}`;
      const base =
        this.cache.get(variant) ?? this.cache.set(variant, this.build(set, outcomes, user, index));
      return extra.length > 0 ? createMongoAbility([...base.rules, ...extra]) : base;
    };
    return new PolicyEvaluation(
      user,
      context,
      ability,
      outcomes,
      key,
      set,
      env,
      this.version,
      withRule,
    );
  }

  /** The CASL ability of a user in a request context (cached; treat it as read-only). */
  abilityFor(user: PolicyUser, context: PolicyContext): PolicyAbility {
    return this.evaluate(user, context).ability;
  }

  /**
   * Whether the user may do `action` on an instance, or — for a subject type — on every instance.
   *
   * @example policyService.can(user, 'read', 'Report', context)
   */
  can(
    user: PolicyUser,
    action: string,
    subject: object | string,
    context: PolicyContext,
    field?: string,
  ): boolean {
    return checkAccess(this.abilityFor(user, context), action, subject, field).allowed;
  }

  /**
   * May `user` do `action` on a subject type or instance in this context, and which rule decided.
   *
   * @example policyService.explain(user, 'publish', 'Article', { ...context, now: Date.parse('2026-03-28T22:00:00Z') })
   */
  explain(
    user: PolicyUser,
    action: string,
    subject: object | string,
    context: PolicyContext,
  ): PolicyExplanation {
    return this.evaluate(user, context).explain(action, subject);
  }

  /**
   * The what-if answer: {@link explain} plus every rule of the user's roles in priority order and
   * what became of it — which one decided, which were overridden, which `when` failed and why.
   *
   * @example policyService.trace(user, 'read', 'Report', context).rules.filter((r) => r.outcome === 'when_failed')
   */
  trace(
    user: PolicyUser,
    action: string,
    subject: object | string,
    context: PolicyContext,
  ): PolicyTrace {
    return this.evaluate(user, context).trace(action, subject);
  }

  /** The cache key the ability of this user and context is stored under. */
  cacheKeyFor(user: PolicyUser, context: PolicyContext): string {
    return this.evaluate(user, context).key;
  }

  private keyOf(set: RoleSet, outcomes: string, user: PolicyUser): string {
    let key = `${set.key}|${outcomes}`;
    for (const path of set.userPaths) key += `|${JSON.stringify(templateValue(path, user))}`;
    return key;
  }

  private build(set: RoleSet, outcomes: string, user: PolicyUser, forced = -1): PolicyAbility {
    return createMongoAbility<PolicyAbility>(rawRulesFor(set, outcomes, user, forced));
  }

  private codeRules(user: PolicyUser, context: PolicyContext): PolicyRawRule[] {
    const hook = this.config.defineAbility;
    if (!hook) return [];
    const builder = new AbilityBuilder<PolicyAbility>(createMongoAbility);
    hook(user, context, builder);
    builder.rules.forEach((raw, index) =>
      linkRuleMeta(raw, {
        id: `defineAbility[${index}]`,
        origin: 'defineAbility',
        role: null,
        actions: [raw.action].flat(),
        subjects: [raw.subject ?? 'all']
          .flat()
          .map((type) => (typeof type === 'function' ? type.name : String(type))),
        inverted: raw.inverted === true,
        reason: raw.reason ?? null,
        templates: [],
        when: null,
        raw,
      }),
    );
    return builder.rules;
  }
}

function sameRules(a: ResolvedPolicyConfig, b: ResolvedPolicyConfig): boolean {
  return a.origin === b.origin && canonicalJson(a.document) === canonicalJson(b.document);
}
