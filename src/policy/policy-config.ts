import { createHash } from 'node:crypto';
import {
  LoggerDecisionSink,
  type DecisionLogOptions,
  type DecisionLogSink,
  type ResolvedDecisionLogConfig,
} from './decision-log.js';
import type { GeoResolver } from './geo-resolver.interface.js';
import { DEFAULT_AUTH_LEVELS, loadPolicyFile, validatePolicy } from './policy-loader.js';
import type { DefineAbilityHook, PolicyDocument } from './policy.types.js';
import { canonicalJson } from './when-compiler.js';
import { z } from 'zod';
import { parseDuration, type Duration } from '../common/duration.js';
import { functionOption, instanceOption } from '../options/option-schemas.js';

/**
 * The `policy` section of the options pipeline: its shape. The document itself is validated by
 * {@link createPolicyConfig}, which names the path of each bad rule.
 */
export const policySection = z.strictObject({
  document: instanceOption<PolicyDocument>('a policy document ({ roles: { ... } })').optional(),
  file: z.string('must be the path of a YAML or JSON policy file').min(1).optional(),
  defineAbility: functionOption<DefineAbilityHook>(
    'a function (builder, user, context)',
  ).optional(),
  geo: instanceOption<GeoResolver>('a GeoResolver ({ country(request) })').optional(),
  reauthOnShrink: z.boolean('must be true or false').optional(),
  watch: z
    .union([z.number(), z.string()], "must be a duration such as '5s', or milliseconds")
    .optional(),
  decisionLog: z
    .strictObject({
      rate: z
        .number('must be a number')
        .gt(0, 'must be more than 0 (leave decisionLog out to turn it off)')
        .max(1, 'must be at most 1 (every decision)')
        .optional(),
      sink: instanceOption<DecisionLogSink>('a DecisionLogSink ({ write(record) })').optional(),
    })
    .optional(),
});

/**
 * DI token of the {@link ResolvedPolicyConfig} the `PolicyService` is built from.
 *
 * @example { provide: POLICY_CONFIG, useFactory: () => createPolicyConfig(options.policy, levels) }
 */
export const POLICY_CONFIG = Symbol('POLICY_CONFIG');

/**
 * The policy after startup validation.
 *
 * @example const config: ResolvedPolicyConfig = createPolicyConfig({ file: './policy.yaml' }, ['password', 'mfa']);
 */
export interface ResolvedPolicyConfig {
  /** The validated document; every rule has its stable `id`. */
  document: PolicyDocument;
  /** Where the rules came from: the file path, `'options'`, or `'none'` when no policy is set. */
  origin: string;
  /** The policy file, when the rules come from one (what `PolicyService.reloadFile()` reads). */
  file?: string | null;
  /** The document's `version`, or the first 12 hex digits of the SHA-256 of its canonical JSON. */
  version: string;
  /** Auth levels from weakest to strongest. */
  levels: string[];
  defineAbility?: DefineAbilityHook;
  geo?: GeoResolver;
  /** Upper bound of cached abilities (default 1000). */
  cacheSize?: number;
  /**
   * Whether a new policy version that takes permissions away forces re-authentication of the
   * users with a live session who lose them (default `true`).
   */
  reauthOnShrink?: boolean;
  /** How often the policy file is checked for changes (ms), or `null`: never (the default). */
  watchMs?: number | null;
  /** The decision log of allowed decisions, or `null` when it is off (the default). */
  decisionLog?: ResolvedDecisionLogConfig | null;
}

/**
 * Reads (when `options.file` is set) and validates the policy once, at startup. With no policy the
 * document has no roles, so every `@Can` / `@CheckPolicies` route is denied.
 *
 * @throws PolicyValidationError naming the exact path of each bad entry
 * @example createPolicyConfig({ document: { roles: { viewer: [{ action: 'read', subject: 'Article' }] } } }, ['password', 'mfa'])
 */
export function createPolicyConfig(
  options: PolicyOptions | undefined,
  levels: string[] = [...DEFAULT_AUTH_LEVELS],
): ResolvedPolicyConfig {
  const origin = options?.file ?? (options?.document ? 'options' : 'none');
  const document = options?.file
    ? loadPolicyFile(options.file, levels)
    : validatePolicy(options?.document ?? { roles: {} }, origin, levels);
  return {
    document,
    origin,
    file: options?.file ?? null,
    version: policyVersion(document),
    levels,
    defineAbility: options?.defineAbility,
    geo: options?.geo,
    reauthOnShrink: options?.reauthOnShrink ?? true,
    watchMs: watchInterval(options),
    decisionLog: options?.decisionLog
      ? {
          rate: options.decisionLog.rate ?? 1,
          sink: options.decisionLog.sink ?? new LoggerDecisionSink(),
        }
      : null,
  };
}

function watchInterval(options: PolicyOptions | undefined): number | null {
  if (options?.watch === undefined) return null;
  if (!options.file)
    throw new RangeError('policy.watch: only with policy.file (there is no file to watch)');
  const ms = parseDuration(options.watch, 'policy.watch');
  if (ms < 100) throw new RangeError(`policy.watch: must be at least 100 ms, got ${ms} ms`);
  return ms;
}

/**
 * The version of a document: its own `version`, else a short content hash (equal rules give equal
 * versions whatever the key order).
 *
 * @example policyVersion({ version: 3, roles: {} }) // '3'
 */
export function policyVersion(document: PolicyDocument): string {
  if (document.version !== undefined) return String(document.version);
  return createHash('sha256').update(canonicalJson(document)).digest('hex').slice(0, 12);
}

/** `policy`: where the rules come from and how a request's country is found. */
export interface PolicyOptions {
  /** The policy document, inline. */
  document?: PolicyDocument;
  /** Path of a YAML or JSON policy file; replaces `document` when set. */
  file?: string;
  /** Code-first rules added after the document's rules. */
  defineAbility?: DefineAbilityHook;
  /** Resolves the country of a request (default: trusted-proxy header). */
  geo?: GeoResolver;
  /**
   * When a new policy version is loaded (`PolicyChanges`), force re-authentication of the users
   * with a live session whose roles may now do less (default `true`; `false` only audits).
   */
  reauthOnShrink?: boolean;
  /**
   * Check the policy `file` for changes this often (`'5s'`, or ms; default: never) and load a
   * changed file on this instance through `PolicyChanges` — an invalid one is logged and the
   * policy in force stays.
   */
  watch?: Duration;
  /**
   * Opt-in log of allowed decisions (who, action, subject type and id, deciding rule, policy
   * version, request id) to a sink (default: the Nest logger, one JSON line each); `rate` samples
   * (default 1: all). Denials are always in the audit log.
   */
  decisionLog?: DecisionLogOptions;
}

declare module '../options/resolved-options.js' {
  /** The `policy` slice of the resolved options, filled by `resolveOptions()`. */
  interface ResolvedOptions {
    policy: ResolvedPolicyConfig;
  }
}
