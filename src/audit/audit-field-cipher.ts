import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * The key that encrypts sensitive `details` fields: 32 bytes for AES-256-GCM, plus a short id
 * (a fingerprint of the key) written into every ciphertext.
 *
 * @example
 * const key = auditEncryptionKey(randomBytes(32));
 */
export interface AuditEncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * Wraps 32 raw bytes as an {@link AuditEncryptionKey}; its id is the first 8 base64url characters
 * of a domain-separated SHA-256 of the key.
 *
 * @example
 * auditEncryptionKey(Buffer.alloc(32, 7)).id.length; // 8
 */
export function auditEncryptionKey(key: Buffer): AuditEncryptionKey {
  const id = createHash('sha256')
    .update('nestjs-session-security/audit-encryption-key-id\0')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
  return { id, key };
}

/**
 * Encrypts one JSON value with AES-256-GCM under a fresh random 12-byte IV. The field name is
 * authenticated data, so a ciphertext moved to another field does not decrypt. Stored form:
 * `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>`, each part base64url.
 *
 * @example
 * encryptField(key, 'email', 'ann@example.com'); // 'enc:v1:Xk2...:...:...:...'
 */
export function encryptField(key: AuditEncryptionKey, field: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(field));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
  return `${PREFIX}${key.id}:${parts.join(':')}`;
}

/**
 * Whether a stored value is in the {@link encryptField} format.
 *
 * @example
 * isEncryptedField('enc:v1:abc:def:ghi:jkl'); // true
 */
export function isEncryptedField(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/**
 * Decrypts a value written by {@link encryptField}. Returns `{ ok: false }` when the key id does
 * not match, the format is wrong or authentication fails (wrong key, edited ciphertext).
 *
 * @example
 * const result = decryptField(key, 'email', stored);
 * if (result.ok) console.log(result.value);
 */
export function decryptField(
  key: AuditEncryptionKey,
  field: string,
  stored: string,
): { ok: true; value: unknown } | { ok: false } {
  const parts = stored.slice(PREFIX.length).split(':');
  if (!stored.startsWith(PREFIX) || parts.length !== 4 || parts[0] !== key.id) return { ok: false };
  try {
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
    decipher.setAAD(aad(field));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    return { ok: true, value: JSON.parse(plain) };
  } catch {
    return { ok: false };
  }
}

/**
 * Encrypts the top-level `details` members named in `fields`; other members are kept as they are.
 *
 * @example
 * encryptDetails({ email: 'ann@example.com', reason: 'x' }, new Set(['email']), key);
 */
export function encryptDetails(
  details: Record<string, unknown>,
  fields: ReadonlySet<string>,
  key: AuditEncryptionKey | null,
): Record<string, unknown> {
  if (!key || fields.size === 0) return details;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(details)) {
    out[name] = fields.has(name) && value !== undefined ? encryptField(key, name, value) : value;
  }
  return out;
}

/**
 * Decrypts every top-level member in the encrypted format. A member that cannot be decrypted (no
 * key configured, another key, edited ciphertext) is returned in its stored form.
 *
 * @example
 * decryptDetails(event.details, key).email; // 'ann@example.com'
 */
export function decryptDetails(
  details: Record<string, unknown>,
  key: AuditEncryptionKey | null,
): Record<string, unknown> {
  if (!key) return details;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(details)) {
    const result = isEncryptedField(value) ? decryptField(key, name, value) : null;
    out[name] = result?.ok ? result.value : value;
  }
  return out;
}

function aad(field: string): Buffer {
  return Buffer.from(`nestjs-session-security/audit-details:${field}`, 'utf8');
}
