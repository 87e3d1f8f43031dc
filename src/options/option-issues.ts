import type { z } from 'zod';
import { closestKey } from './edit-distance.js';
import { SessionSecurityOptionsError } from './options-error.js';

type Path = readonly PropertyKey[];
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
}
const WRAPPERS = [
  'optional',
  'nullable',
  'default',
  'prefault',
  'catch',
  'readonly',
  'nonoptional',
];

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The schemas one level below `schema` that may hold `key` (several for a union). */
function children(schema: z.ZodType, key: PropertyKey | null): z.ZodType[] {
  const def = defOf(schema);
  if (WRAPPERS.includes(def.type)) return children(def.innerType!, key);
  if (def.type === 'pipe') return children(def.in!, key);
  if (def.type === 'union') return def.options!.flatMap((option) => children(option, key));
  if (def.type === 'object') {
    if (key === null) return Object.values(def.shape!);
    return typeof key === 'string' && def.shape![key] ? [def.shape![key]] : [];
  }
  if (def.type === 'array') return [def.element!];
  if (def.type === 'record') return [def.valueType!];
  return [];
}

/**
 * The option keys the object at `path` of `schema` knows (`[]` when there is no object there).
 *
 * @example knownKeys(optionsSchema, ['session']) // ['idleTimeout', 'absoluteTimeout', 'touchInterval']
 */
export function knownKeys(schema: z.ZodType, path: Path): string[] {
  let level = [schema];
  for (const key of path) level = level.flatMap((s) => children(s, key));
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const def = defOf(s);
    if (WRAPPERS.includes(def.type)) return unwrap(def.innerType!);
    if (def.type === 'pipe') return unwrap(def.in!);
    if (def.type === 'union') return def.options!.flatMap(unwrap);
    return [s];
  };
  return level.flatMap(unwrap).flatMap((s) => Object.keys(defOf(s).shape ?? {}));
}

/** `a.b[0].c`: an issue path as the options are written. */
export function formatPath(path: Path): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

/**
 * One `path: problem` line per zod issue; an unknown key gets its own line with the known key it
 * is closest to ("did you mean 'idleTimeout'?"); `alsoKnown` are more top-level keys to suggest.
 *
 * @example describeIssues(error, optionsSchema) // ["session.idelTimeout: unknown option — did you mean 'idleTimeout'?"]
 */
export function describeIssues(
  error: z.ZodError,
  schema: z.ZodType,
  prefix: Path = [],
  alsoKnown: readonly string[] = [],
): string[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      const got = Array.isArray(issue.input) ? 'an array' : typeof issue.input;
      const wanted = /^[aeiou]/.test(issue.expected)
        ? `an ${issue.expected}`
        : `a ${issue.expected}`;
      return [`${formatPath(path) || '(options)'}: must be ${wanted}, got ${got}`];
    }
    if (issue.code !== 'unrecognized_keys') {
      return [`${formatPath(path) || '(options)'}: ${issue.message}`];
    }
    const known = knownKeys(schema, issue.path);
    const near = (key: string) =>
      closestKey(key, issue.path.length === 0 ? [...known, ...alsoKnown] : known);
    return issue.keys.map((key) => {
      const guess = near(key);
      const hint = guess ? ` — did you mean '${guess}'?` : ` (known: ${known.join(', ')})`;
      return `${formatPath([...path, key])}: unknown option${hint}`;
    });
  });
}

/**
 * Validates one section of the options on its own (as `notificationProviders()` does) and
 * returns it resolved; throws a {@link SessionSecurityOptionsError} naming each bad key under
 * `section`.
 *
 * @example parseSection('live', liveSection, { sweepInterval: '10s' }) // { sweepIntervalMs: 10000 }
 */
export function parseSection<S extends z.ZodType>(
  section: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new SessionSecurityOptionsError(describeIssues(parsed.error, schema, [section]));
  }
  return parsed.data;
}

/**
 * Every option path of `schema` whose schema `matches` (e.g. every duration option), with
 * `[]` for array items.
 *
 * @example optionPaths(optionsSchema, (s) => durationOptions.has(s)) // ['session.idleTimeout', ...]
 */
export function optionPaths(schema: z.ZodType, matches: (s: z.ZodType) => boolean): string[] {
  const found = new Set<string>();
  const visit = (s: z.ZodType, path: string, depth: number): void => {
    if (matches(s)) found.add(path);
    if (depth > 16) return;
    const def = defOf(s);
    if (WRAPPERS.includes(def.type)) visit(def.innerType!, path, depth + 1);
    else if (def.type === 'pipe') visit(def.in!, path, depth + 1);
    else if (def.type === 'union') def.options!.forEach((option) => visit(option, path, depth + 1));
    else if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape!)) {
        visit(child, path ? `${path}.${key}` : key, depth + 1);
      }
    } else if (def.type === 'array') visit(def.element!, `${path}[]`, depth + 1);
    else if (def.type === 'record') visit(def.valueType!, `${path}[]`, depth + 1);
  };
  visit(schema, '', 0);
  return [...found];
}
