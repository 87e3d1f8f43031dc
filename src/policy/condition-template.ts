import type { PolicyUser } from './policy.types.js';

/**
 * The user attributes a condition may refer to, as `'${user.id}'` or `'${user.tenantId}'`.
 *
 * @example const path: TemplatePath = 'user.tenantId';
 */
export type TemplatePath = 'user.id' | 'user.tenantId';

const TEMPLATE = /^\$\{\s*(user\.id|user\.tenantId)\s*\}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A problem found in a condition, with the path of the offending value.
 *
 * @example const problem: TemplateProblem = { path: ['ownerId'], message: 'unsupported template' };
 */
export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Lists the template paths a condition tree uses and every malformed template in it. A template
 * must be the whole string value; `${...}` anywhere else, or a path outside the whitelist, is a
 * problem (never evaluated).
 *
 * @example scanTemplates({ authorId: '${user.id}' }) // { paths: Set { 'user.id' }, problems: [] }
 */
export function scanTemplates(
  value: unknown,
  path: (string | number)[] = [],
): { paths: Set<TemplatePath>; problems: TemplateProblem[] } {
  const paths = new Set<TemplatePath>();
  const problems: TemplateProblem[] = [];
  const visit = (node: unknown, at: (string | number)[]): void => {
    if (typeof node === 'string') {
      const match = TEMPLATE.exec(node);
      if (match) paths.add(match[1] as TemplatePath);
      else if (node.includes('${')) {
        problems.push({
          path: at,
          message: `unsupported template '${node}' (use exactly '\${user.id}' or '\${user.tenantId}')`,
        });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...at, index]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (FORBIDDEN_KEYS.has(key) || key.includes('${')) {
          problems.push({ path: [...at, key], message: `key '${key}' is not allowed` });
        } else visit(child, [...at, key]);
      }
    }
  };
  visit(value, path);
  return { paths, problems };
}

/**
 * The value of a template path for a user (`null` when absent).
 *
 * @example templateValue('user.id', { id: 7, roles: [] }) // 7
 */
export function templateValue(path: TemplatePath, user: PolicyUser): unknown {
  const value = path === 'user.id' ? user.id : user.tenantId;
  return value === undefined ? null : value;
}

/**
 * Returns a copy of `conditions` with each template replaced by the user's value, as a typed value
 * (a numeric id stays a number). Nothing is evaluated: the only substitution is a lookup of a
 * whitelisted attribute. `missing` is set when a referenced value is `null`/absent.
 *
 * @example
 * interpolate({ authorId: '${user.id}' }, { id: '2', roles: [] }) // { value: { authorId: '2' }, missing: false }
 */
export function interpolate(
  conditions: Record<string, unknown>,
  user: PolicyUser,
): { value: Record<string, unknown>; missing: boolean } {
  let missing = false;
  const copy = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const match = TEMPLATE.exec(node);
      if (!match) return node;
      const value = templateValue(match[1] as TemplatePath, user);
      if (value === null) missing = true;
      return value;
    }
    if (Array.isArray(node)) return node.map(copy);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = copy(child);
      return out;
    }
    return node;
  };
  const value = copy(conditions) as Record<string, unknown>;
  return { value, missing };
}
