import { parseCidr } from '../network/client-ip.js';
import type { PolicyDocument, PolicyRule } from './policy.types.js';

/**
 * A problem with a path given as segments, before formatting.
 *
 * @example const issue: RawIssue = { path: ['roles', 'editor', 0, 'id'], message: 'duplicate rule id' };
 */
export interface RawIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Whether a `network` entry is an inline CIDR/address rather than the name of a network.
 *
 * @example isInlineCidr('10.0.0.0/8') // true; isInlineCidr('internal') // false
 */
export function isInlineCidr(entry: string): boolean {
  return entry.includes('/') || entry.includes(':') || /^\d/.test(entry);
}

/**
 * The stable id of a rule: its own `id`, else `<role>[<index>]`.
 *
 * @example ruleId('editor', 1, { action: 'read', subject: 'Article' }) // 'editor[1]'
 */
export function ruleId(role: string, index: number, rule: Pick<PolicyRule, 'id'>): string {
  return rule.id ?? `${role}[${index}]`;
}

/**
 * Checks what a schema cannot see locally: every network a `when` names is defined, inline CIDRs
 * parse, auth levels are known, and rule ids are unique.
 *
 * @example checkReferences(document, ['password', 'mfa']) // [] when consistent
 */
export function checkReferences(document: PolicyDocument, levels: readonly string[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const networks = document.networks ?? {};
  const seen = new Map<string, string>();
  for (const [role, rules] of Object.entries(document.roles)) {
    rules.forEach((rule, index) => {
      const at = ['roles', role, index];
      const id = ruleId(role, index, rule);
      const previous = seen.get(id);
      if (previous) {
        issues.push({
          path: [...at, 'id'],
          message: `duplicate rule id '${id}' (also ${previous})`,
        });
      } else seen.set(id, `${role}[${index}]`);
      const when = rule.when;
      if (!when) return;
      for (const key of ['network', 'notNetwork'] as const) {
        const value = when[key];
        if (value === undefined) continue;
        const entries = typeof value === 'string' ? [value] : value;
        const listed = typeof value !== 'string';
        entries.forEach((entry, position) => {
          const path = listed ? [...at, 'when', key, position] : [...at, 'when', key];
          issues.push(...checkNetworkEntry(entry, networks, path));
        });
      }
      if (when.authLevel !== undefined && !levels.includes(when.authLevel)) {
        issues.push({
          path: [...at, 'when', 'authLevel'],
          message: `unknown auth level '${when.authLevel}' (known: ${levels.join(', ')})`,
        });
      }
    });
  }
  return issues;
}

function checkNetworkEntry(
  entry: string,
  networks: Record<string, string[]>,
  path: (string | number)[],
): RawIssue[] {
  if (isInlineCidr(entry)) {
    try {
      parseCidr(entry, '');
      return [];
    } catch {
      return [{ path, message: `invalid CIDR '${entry}'` }];
    }
  }
  if (Object.prototype.hasOwnProperty.call(networks, entry)) return [];
  const known = Object.keys(networks);
  return [
    {
      path,
      message:
        `unknown network '${entry}' (define it under networks` +
        `${known.length ? `; known: ${known.join(', ')}` : ''})`,
    },
  ];
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Finds keys that could reach an object's prototype (`__proto__`, `constructor`, `prototype`)
 * anywhere in a raw document; schema parsing would otherwise drop them without a word.
 *
 * @example unsafeKeys(JSON.parse('{"roles":{"__proto__":[]}}')) // [{ path: ['roles', '__proto__'], … }]
 */
export function unsafeKeys(input: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  const seen = new Set<object>();
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    for (const key of Object.keys(node)) {
      if (UNSAFE_KEYS.has(key))
        issues.push({ path: [...path, key], message: `key '${key}' is not allowed` });
      else visit((node as Record<string, unknown>)[key], [...path, key]);
    }
  };
  visit(input, []);
  return issues;
}
