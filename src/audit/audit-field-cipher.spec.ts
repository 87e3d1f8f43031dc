import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  auditEncryptionKey,
  decryptDetails,
  decryptField,
  encryptDetails,
  encryptField,
  isEncryptedField,
} from './audit-field-cipher.js';

const key = auditEncryptionKey(randomBytes(32));
const B64URL = '[A-Za-z0-9_-]+';

describe('encryptField / decryptField', () => {
  it('writes enc:v1:<keyId>:<iv>:<tag>:<ciphertext> with a 12-byte IV and a 16-byte tag', () => {
    const stored = encryptField(key, 'email', 'ann@example.com');
    const match = new RegExp(`^enc:v1:(${B64URL}):(${B64URL}):(${B64URL}):(${B64URL})$`).exec(
      stored,
    );
    expect(match?.[1]).toBe(key.id);
    expect(Buffer.from(match![2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(match![3], 'base64url')).toHaveLength(16);
    expect(stored).not.toContain('ann@example.com');
  });

  it('round-trips any JSON value', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (field, value) => {
        const result = decryptField(key, field, encryptField(key, field, value));
        expect(result).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
      }),
      { numRuns: 50 },
    );
  });

  it('uses a fresh IV each time', () => {
    expect(encryptField(key, 'email', 'x')).not.toBe(encryptField(key, 'email', 'x'));
  });

  it('refuses an edited ciphertext, another field name, and another key', () => {
    const stored = encryptField(key, 'email', 'ann@example.com');
    const parts = stored.split(':');
    const ciphertext = Buffer.from(parts[5], 'base64url');
    ciphertext[0] ^= 1;
    parts[5] = ciphertext.toString('base64url');
    expect(decryptField(key, 'email', parts.join(':'))).toEqual({ ok: false });
    expect(decryptField(key, 'phone', stored)).toEqual({ ok: false });
    expect(decryptField(auditEncryptionKey(randomBytes(32)), 'email', stored)).toEqual({
      ok: false,
    });
    expect(decryptField(key, 'email', 'enc:v1:garbage')).toEqual({ ok: false });
  });
});

describe('encryptDetails / decryptDetails', () => {
  const fields = new Set(['email', 'phone']);

  it('encrypts only the named top-level members and restores them', () => {
    const details = { email: 'ann@example.com', reason: 'lost laptop', nested: { email: 'keep' } };
    const stored = encryptDetails(details, fields, key);
    expect(isEncryptedField(stored.email)).toBe(true);
    expect(stored.reason).toBe('lost laptop');
    expect(stored.nested).toEqual({ email: 'keep' });
    expect(decryptDetails(stored, key)).toEqual(details);
  });

  it('leaves values it cannot decrypt in their stored form', () => {
    const stored = encryptDetails({ email: 'ann@example.com' }, fields, key);
    expect(decryptDetails(stored, null)).toEqual(stored);
    expect(decryptDetails(stored, auditEncryptionKey(randomBytes(32)))).toEqual(stored);
  });

  it('gives each key a stable 8-character id', () => {
    const raw = randomBytes(32);
    expect(auditEncryptionKey(raw).id).toBe(auditEncryptionKey(Buffer.from(raw)).id);
    expect(auditEncryptionKey(raw).id).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
