import { randomBytes } from 'node:crypto';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { DEFAULT_AUDIT_KEY_ID, deriveAuditKey, resolveAuditConfig } from './audit-config.js';

const secret = 'a-server-secret-of-at-least-32-characters';
const hexKey = () => randomBytes(32).toString('hex');

function problemOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected resolveAuditConfig to throw');
}

describe('resolveAuditConfig', () => {
  it('signs with a key derived from the secret by default', () => {
    const config = resolveAuditConfig(undefined, secret);
    expect(config.currentKeyId).toBe(DEFAULT_AUDIT_KEY_ID);
    expect(config.keys.get(DEFAULT_AUDIT_KEY_ID)).toEqual(deriveAuditKey(secret));
    expect(deriveAuditKey(secret)).toHaveLength(32);
    expect(deriveAuditKey(secret)).not.toEqual(deriveAuditKey(`${secret}!`));
    expect(config.encryption).toBeNull();
  });

  it('signs with the first configured key and keeps the others, and the derived key, for verify', () => {
    const k2 = randomBytes(32);
    const config = resolveAuditConfig(
      { keys: { k2: k2.toString('base64'), k1: hexKey() } },
      secret,
    );
    expect(config.currentKeyId).toBe('k2');
    expect(config.keys.get('k2')).toEqual(k2);
    expect([...config.keys.keys()]).toEqual(['k2', 'k1', DEFAULT_AUDIT_KEY_ID]);
  });

  it('accepts a 32-byte encryption key in hex, base64 or base64url', () => {
    const raw = randomBytes(32);
    for (const form of ['hex', 'base64', 'base64url'] as const) {
      const config = resolveAuditConfig(
        { encryptionKey: raw.toString(form), encryptFields: ['email'] },
        secret,
      );
      expect(config.encryption?.key).toEqual(raw);
      expect(config.encryptFields).toEqual(new Set(['email']));
    }
  });

  it.each([
    [{ encryptionKey: 'short' }, 'audit.encryptionKey: must be 32 bytes (base64 or hex)'],
    [{ encryptionKey: randomBytes(16).toString('hex') }, 'audit.encryptionKey: must be 32 bytes'],
    [{ encryptFields: ['email'] }, 'audit.encryptionKey: required when audit.encryptFields is set'],
    [{ keys: {} }, 'audit.keys: must name at least one key'],
    [{ keys: { k1: 'tooshort' } }, 'audit.keys.k1: must be at least 32 bytes'],
    [{ keys: { '2': hexKey() } }, 'audit.keys.2: a key id must not be a plain number'],
    [{ keys: { 'k 1': hexKey() } }, 'audit.keys.k 1: key ids are 1-64 characters'],
    [
      { encryptionKey: hexKey(), encryptFields: ['password'] },
      "audit.encryptFields[0]: 'password' names a credential",
    ],
  ])('rejects %j naming the option', (options, expected) => {
    expect(problemOf(() => resolveAuditConfig(options, secret))).toContain(expected);
  });

  it('resolves audit.retention with its defaults, in milliseconds', () => {
    const archive = () => undefined;
    expect(resolveAuditConfig(undefined, secret).retention).toBeNull();
    expect(resolveAuditConfig({ retention: { maxAge: '90d' } }, secret).retention).toEqual({
      maxAgeMs: 90 * 24 * 3600 * 1000,
      everyMs: 3600 * 1000,
      batchSize: 500,
      archive: undefined,
    });
    const custom = resolveAuditConfig(
      { retention: { maxAge: '2d', every: '10m', batchSize: 50, archive } },
      secret,
    );
    expect(custom.retention).toEqual({
      maxAgeMs: 2 * 24 * 3600 * 1000,
      everyMs: 600_000,
      batchSize: 50,
      archive,
    });
  });

  it.each([
    [{ retention: {} }, "audit.retention.maxAge: required (e.g. '90d')"],
    [{ retention: { maxAge: 'soon' } }, 'audit.retention.maxAge: invalid duration "soon"'],
    [{ retention: { maxAge: '90' } }, 'audit.retention.maxAge: must be at least 1 day, got 90 ms'],
    [
      { retention: { maxAge: '90d', every: '5s' } },
      'audit.retention.every: must be at least 1 minute',
    ],
    [
      { retention: { maxAge: '90d', every: '30d' } },
      'audit.retention.every: must be at most 24 days',
    ],
    [{ retention: { maxAge: '90d', every: -1 } }, 'audit.retention.every: invalid duration -1'],
    [
      { retention: { maxAge: '90d', batchSize: 0 } },
      'audit.retention.batchSize: must be an integer',
    ],
    [
      { retention: { maxAge: '90d', archive: 'bucket' } },
      'audit.retention.archive: must be a function',
    ],
    [{ retention: { maxAge: '90d', evry: '1h' } }, 'audit.retention.evry: unknown option'],
    [{ retention: '90d' }, 'audit.retention: must be an object'],
    [{ retension: { maxAge: '90d' } }, 'audit.retension: unknown option'],
  ])('rejects retention %j naming the option', (options, expected) => {
    expect(problemOf(() => resolveAuditConfig(options as never, secret))).toContain(expected);
  });

  it('rejects a short secret', () => {
    expect(problemOf(() => resolveAuditConfig(undefined, 'short'))).toContain(
      'secret: must be at least 32 characters',
    );
  });

  it('reports every problem at once', () => {
    const message = problemOf(() =>
      resolveAuditConfig({ keys: { k1: 'x' }, encryptionKey: 'y' }, secret),
    );
    expect(message).toContain('audit.keys.k1');
    expect(message).toContain('audit.encryptionKey');
  });
});
