/**
 * Thrown when a value cannot be serialised canonically; `path` locates the offending member.
 *
 * @example
 * try { canonicalJson({ n: NaN }); } catch (e) { (e as CanonicalJsonError).path; } // '$.n'
 */
export class CanonicalJsonError extends TypeError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

/**
 * Serialises a JSON value deterministically, so the same data always hashes the same:
 * object keys sorted by UTF-16 code units, no whitespace, strings and numbers written as
 * `JSON.stringify` writes them, `null` kept, object members whose value is `undefined` left out
 * and `undefined` array items written as `null`. Anything that is not plain JSON (non-finite
 * numbers, bigint, functions, symbols, class instances such as `Date`) is rejected with a
 * {@link CanonicalJsonError} instead of being silently coerced.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null, undefined], c: undefined }); // '{"a":[true,null,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not JSON`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? writeArray(value, path) : writeObject(value, path);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} is not JSON`);
  }
}

function writeArray(items: unknown[], path: string): string {
  const parts = items.map((item, i) =>
    item === undefined ? 'null' : write(item, `${path}[${i}]`),
  );
  return `[${parts.join(',')}]`;
}

function writeObject(value: object, path: string): string {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(
      path,
      `a ${proto?.constructor?.name ?? 'class'} instance is not JSON`,
    );
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  const parts = keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`)}`);
  return `{${parts.join(',')}}`;
}
