import { parseDuration } from '../common/duration.js';
import { CidrSet } from '../network/client-ip.js';
import { parseInstant } from './date-range.js';
import { isInlineCidr } from './policy-references.js';
import type { WhenBlock } from './policy.types.js';
import { parseClock, parseDays, type TimeWindow } from './time-window.js';

/**
 * A validated `when` block in the form the evaluator needs: parsed windows, instants, CIDR sets,
 * upper-case country sets and an auth-level rank.
 *
 * @example const compiled: CompiledWhen = compileWhen({ network: 'internal' }, networks, levels);
 */
export interface CompiledWhen {
  /** Canonical JSON of the source; equal blocks share one evaluation per request. */
  key: string;
  source: WhenBlock;
  window?: TimeWindow;
  dates?: { from: number | null; to: number | null; tz: string };
  network?: CidrSet;
  notNetwork?: CidrSet;
  country?: ReadonlySet<string>;
  notCountry?: ReadonlySet<string>;
  authLevel?: { name: string; rank: number };
  maxSessionAgeMs?: number;
  remembered?: boolean;
  impersonated?: boolean;
}

/**
 * Compiles a `when` block that `validatePolicy` accepted.
 *
 * @param networks the document's named networks
 * @param levels auth levels from weakest to strongest
 * @example compileWhen({ hours: { from: '09:00', to: '18:00', tz: 'UTC' } }, {}, ['password'])
 */
export function compileWhen(
  when: WhenBlock,
  networks: Record<string, string[]>,
  levels: readonly string[],
): CompiledWhen {
  const compiled: CompiledWhen = { key: canonicalJson(when), source: when };
  if (when.hours) {
    compiled.window = {
      days: parseDays(when.hours.days) ?? 0,
      from: parseClock(when.hours.from) ?? 0,
      to: parseClock(when.hours.to, true) ?? 0,
      tz: when.hours.tz,
    };
  }
  if (when.dates) {
    const tz = when.dates.tz ?? 'UTC';
    compiled.dates = {
      from: when.dates.from === undefined ? null : parseInstant(when.dates.from, tz, 'start'),
      to: when.dates.to === undefined ? null : parseInstant(when.dates.to, tz, 'end'),
      tz,
    };
  }
  if (when.network !== undefined) compiled.network = cidrSet(when.network, networks);
  if (when.notNetwork !== undefined) compiled.notNetwork = cidrSet(when.notNetwork, networks);
  if (when.country) compiled.country = new Set(when.country.map((code) => code.toUpperCase()));
  if (when.notCountry) {
    compiled.notCountry = new Set(when.notCountry.map((code) => code.toUpperCase()));
  }
  if (when.authLevel !== undefined) {
    compiled.authLevel = { name: when.authLevel, rank: levels.indexOf(when.authLevel) };
  }
  if (when.maxSessionAge !== undefined) {
    compiled.maxSessionAgeMs = parseDuration(when.maxSessionAge, 'when.maxSessionAge');
  }
  if (when.remembered !== undefined) compiled.remembered = when.remembered;
  if (when.impersonated !== undefined) compiled.impersonated = when.impersonated;
  return compiled;
}

function cidrSet(value: string | string[], networks: Record<string, string[]>): CidrSet {
  const entries = typeof value === 'string' ? [value] : value;
  return new CidrSet(
    entries.flatMap((entry) => (isInlineCidr(entry) ? [entry] : (networks[entry] ?? []))),
  );
}

/**
 * JSON with object keys sorted, so equal documents give equal text whatever their key order.
 *
 * @example canonicalJson({ b: 1, a: [2] }) // '{"a":[2],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? Object.fromEntries(
          Object.entries(node as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : node,
  );
}
