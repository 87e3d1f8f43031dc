import { randomBytes } from 'node:crypto';
import { resolveAuditConfig } from './audit-config.js';
import { draftAuditEvent } from './audit-event-draft.js';
import { isEncryptedField } from './audit-field-cipher.js';

const secret = 'a-server-secret-of-at-least-32-characters';
const config = resolveAuditConfig(
  { encryptionKey: randomBytes(32).toString('hex'), encryptFields: ['email'] },
  secret,
);

describe('draftAuditEvent', () => {
  it('fills absent fields with null and the outcome with success', () => {
    const draft = draftAuditEvent({ type: 'logout' }, 1000, config);
    expect(draft).toEqual({
      at: 1000,
      type: 'logout',
      actor: null,
      userId: null,
      sessionId: null,
      ip: null,
      userAgent: null,
      action: null,
      resource: null,
      outcome: 'success',
      details: {},
    });
  });

  it('drops credentials from details and notes them as redacted', () => {
    const draft = draftAuditEvent(
      { type: 'login.failed', details: { username: 'ann', password: 'hunter2' } },
      1,
      config,
    );
    expect(draft.details).toEqual({ username: 'ann', redacted: ['password'] });
  });

  it('drops a session id that is really a token or a token hash', () => {
    const token = randomBytes(32).toString('base64url');
    const draft = draftAuditEvent({ type: 'logout', sessionId: token }, 1, config);
    expect(draft.sessionId).toBeNull();
    expect(draft.details.redacted).toEqual(['sessionId']);
    expect(JSON.stringify(draft)).not.toContain(token);
  });

  it('encrypts the configured fields', () => {
    const draft = draftAuditEvent({ type: 'x', details: { email: 'ann@example.com' } }, 1, config);
    expect(isEncryptedField(draft.details.email)).toBe(true);
  });

  it('stores only what PostgreSQL can hold, cut to the column length', () => {
    const draft = draftAuditEvent(
      { type: 'x', userAgent: `a\0b${'z'.repeat(600)}`, actor: 'bad\uD800' },
      1,
      config,
    );
    expect(draft.userAgent).toHaveLength(512);
    expect(draft.userAgent!.startsWith('abz')).toBe(true);
    expect(draft.actor).toBe('bad\uFFFD');
  });

  it('requires a type', () => {
    expect(() => draftAuditEvent({ type: '' }, 1, config)).toThrow('type is required');
  });
});
