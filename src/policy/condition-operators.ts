import type { TemplateProblem } from './condition-template.js';

/**
 * The operators CASL 7's MongoDB matcher evaluates. Anything else (`$or`, `$and`, `$not`, `$where`,
 * …) would be read as a field name and silently never match, so validation rejects it.
 *
 * @example SUPPORTED_OPERATORS.has('$in') // true
 */
export const SUPPORTED_OPERATORS: ReadonlySet<string> = new Set([
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$in',
  '$nin',
  '$all',
  '$size',
  '$regex',
  '$options',
  '$elemMatch',
  '$exists',
]);

/**
 * Lists every `$` key CASL would not treat as an operator: an unknown operator, an operator where
 * a field name is expected (the top level), or operators mixed with plain keys in one object.
 *
 * @example operatorProblems({ $or: [{ a: 1 }] }) // [{ path: ['$or'], message: ... }]
 */
export function operatorProblems(conditions: Record<string, unknown>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (path: (string | number)[], message: string) => problems.push({ path, message });
  const entries = (node: object) => Object.entries(node);

  const literal = (node: unknown, at: (string | number)[]): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Array.isArray(node) ? node.entries() : entries(node)) {
      if (typeof key === 'string' && key.startsWith('$')) {
        report([...at, key], `'${key}' is not supported inside a value`);
      } else literal(child, [...at, key]);
    }
  };
  const document = (node: object, at: (string | number)[]): void => {
    for (const [key, child] of entries(node)) {
      if (key.startsWith('$')) {
        report([...at, key], `'${key}' is not supported here: start with a field name`);
      } else value(child, [...at, key]);
    }
  };
  const value = (node: unknown, at: (string | number)[]): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return literal(node, at);
    const keys = Object.keys(node);
    if (!keys.some((key) => key.startsWith('$'))) return literal(node, at);
    for (const [key, child] of entries(node)) {
      const path = [...at, key];
      if (!key.startsWith('$')) {
        report(path, `'${key}' cannot be mixed with operators in one object`);
      } else if (!SUPPORTED_OPERATORS.has(key)) {
        const supported = [...SUPPORTED_OPERATORS].join(', ');
        report(path, `unsupported operator '${key}' (supported: ${supported})`);
      } else if (key !== '$elemMatch') literal(child, path);
      else if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
        if (Object.keys(child).every((inner) => inner.startsWith('$'))) value(child, path);
        else document(child, path);
      }
    }
  };
  document(conditions, []);
  return problems;
}
