import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  GENESIS_HASH,
  sameDigest,
  signAuditCheckpoint,
  signAuditEvent,
  type AuditSignedFields,
} from './audit-hmac.js';

const key = randomBytes(32);
const base: AuditSignedFields = {
  seq: 7,
  at: 1_763_900_000_000,
  type: 'session.revoked',
  actor: 'admin-1',
  userId: 'u-42',
  sessionId: '0f8f6a0c-3f59-4d6e-9b0f-6f1c7c1f2e3a',
  ip: '203.0.113.7',
  userAgent: 'curl/8',
  action: 'revoke',
  resource: 'session',
  outcome: 'success',
  details: { reason: 'lost laptop' },
  keyId: 'k1',
};

describe('signAuditEvent', () => {
  it('is a 64-character hex HMAC that depends on every signed field', () => {
    const hash = signAuditEvent(key, base, GENESIS_HASH);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const changes: Partial<AuditSignedFields>[] = [
      { seq: 8 },
      { at: base.at + 1 },
      { type: 'logout' },
      { actor: null },
      { userId: 'u-43' },
      { sessionId: null },
      { ip: '203.0.113.8' },
      { userAgent: 'curl/9' },
      { action: null },
      { resource: 'user' },
      { outcome: 'failure' },
      { details: { reason: 'lost phone' } },
      { keyId: 'k2' },
    ];
    for (const change of changes) {
      expect(signAuditEvent(key, { ...base, ...change }, GENESIS_HASH)).not.toBe(hash);
    }
  });

  it('depends on the previous hash and on the key', () => {
    const hash = signAuditEvent(key, base, GENESIS_HASH);
    expect(signAuditEvent(key, base, 'f'.repeat(64))).not.toBe(hash);
    expect(signAuditEvent(randomBytes(32), base, GENESIS_HASH)).not.toBe(hash);
  });

  it('signs absent optional fields like null and ignores unsigned extras', () => {
    const withNull = { ...base, actor: null, ip: null };
    const withUndefined = { ...base, actor: undefined, ip: undefined, extra: 'x' };
    expect(signAuditEvent(key, withUndefined as never, GENESIS_HASH)).toBe(
      signAuditEvent(key, withNull, GENESIS_HASH),
    );
  });

  it('does not depend on the order of keys inside details', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (details) => {
        const reversed = Object.fromEntries(Object.entries(details).reverse());
        expect(signAuditEvent(key, { ...base, details: reversed }, GENESIS_HASH)).toBe(
          signAuditEvent(key, { ...base, details }, GENESIS_HASH),
        );
      }),
    );
  });
});

describe('signAuditCheckpoint', () => {
  const checkpoint = {
    seq: 10,
    hash: 'a'.repeat(64),
    eventAt: 1,
    createdAt: 2,
    removed: 10,
    keyId: 'k1',
  };

  it('changes when any checkpoint field changes', () => {
    const mac = signAuditCheckpoint(key, checkpoint);
    expect(signAuditCheckpoint(key, { ...checkpoint, seq: 9 })).not.toBe(mac);
    expect(signAuditCheckpoint(key, { ...checkpoint, hash: 'b'.repeat(64) })).not.toBe(mac);
    expect(signAuditCheckpoint(key, { ...checkpoint, removed: 11 })).not.toBe(mac);
  });
});

describe('sameDigest', () => {
  it('compares digests of any length without throwing', () => {
    expect(sameDigest('ab', 'ab')).toBe(true);
    expect(sameDigest('ab', 'ac')).toBe(false);
    expect(sameDigest('ab', 'abc')).toBe(false);
  });
});
