const SENSITIVE_NAME =
  /password|passwd|passphrase|secret|token|apikey|authorization|cookie|credential|privatekey/;
const SECRET_LOOKALIKE = /^[A-Za-z0-9_\-+/=]{40,}$/;

/**
 * Whether a `details` key names a credential (`password`, `newPassword`, `token`, `tokenHash`,
 * `refresh_token`, `clientSecret`, `apiKey`, `authorization`, `cookie`, ...). Such keys are never
 * stored. Case, `_` and `-` are ignored.
 *
 * @example
 * isSensitiveKey('access_token'); // true
 * isSensitiveKey('reason'); // false
 */
export function isSensitiveKey(name: string): boolean {
  return SENSITIVE_NAME.test(name.toLowerCase().replace(/[_-]/g, ''));
}

/**
 * Whether a would-be public session id looks like a token or a token hash instead (40 or more
 * base64/hex characters; the public id is a 36-character UUID).
 *
 * @example
 * looksLikeSecret('0f8f6a0c-3f59-4d6e-9b0f-6f1c7c1f2e3a'); // false
 */
export function looksLikeSecret(value: string): boolean {
  return SECRET_LOOKALIKE.test(value);
}

/**
 * Thrown by `record()` for details that cannot be stored as JSON (cycles, bigint, non-object).
 *
 * @example
 * await audit.record({ type: 'x', details: { n: 1n } }); // rejects with AuditDetailsError
 */
export class AuditDetailsError extends TypeError {
  constructor(problem: string) {
    super(`audit details: ${problem}`);
    this.name = 'AuditDetailsError';
  }
}

/**
 * Normalises `details` to plain JSON (as `JSON.stringify` would store it) and drops every key,
 * at any depth, that {@link isSensitiveKey} flags. The paths of dropped keys are returned so the
 * caller can note them as `redacted`.
 *
 * @example
 * sanitizeDetails({ username: 'ann', password: 'hunter2' });
 * // { details: { username: 'ann' }, redacted: ['password'] }
 */
export function sanitizeDetails(details: unknown): {
  details: Record<string, unknown>;
  redacted: string[];
} {
  if (details === null || details === undefined) return { details: {}, redacted: [] };
  let plain: unknown;
  try {
    plain = JSON.parse(JSON.stringify(details));
  } catch (error) {
    throw new AuditDetailsError(`must be JSON-serialisable (${(error as Error).message})`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new AuditDetailsError('must be a plain object');
  }
  const redacted: string[] = [];
  return { details: strip(plain, '', redacted) as Record<string, unknown>, redacted };
}

function strip(value: unknown, path: string, redacted: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => strip(item, `${path}[${i}]`, redacted));
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (isSensitiveKey(key)) redacted.push(childPath);
    else kept[key] = strip(child, childPath, redacted);
  }
  return kept;
}
