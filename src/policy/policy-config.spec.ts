import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicyConfig, policyVersion } from './policy-config.js';
import { PolicyValidationError } from './policy-validation.error.js';

describe('createPolicyConfig', () => {
  it('hashes a document without a version, whatever its key order', () => {
    const a = createPolicyConfig({
      document: { roles: { v: [{ action: 'read', subject: 'A' }] } },
    });
    const b = createPolicyConfig({
      document: { roles: { v: [{ subject: 'A', action: 'read' }] } },
    });
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(b.version).toBe(a.version);
    expect(a.origin).toBe('options');
  });

  it('changes the hash when a rule changes', () => {
    const a = policyVersion({ roles: { v: [{ action: 'read', subject: 'A' }] } });
    const b = policyVersion({ roles: { v: [{ action: 'read', subject: 'B' }] } });
    expect(a).not.toBe(b);
  });

  it("uses the document's own version", () => {
    expect(createPolicyConfig({ document: { version: 3, roles: {} } }).version).toBe('3');
  });

  it('reads a file, which replaces the inline document and becomes the origin', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
    writeFileSync(path, JSON.stringify({ version: 'f1', roles: { a: [] } }));
    const config = createPolicyConfig({ file: path, document: { roles: { b: [] } } }, ['password']);
    expect(config).toMatchObject({ origin: path, version: 'f1', levels: ['password'] });
    expect(Object.keys(config.document.roles)).toEqual(['a']);
  });

  it('fails at startup on an invalid document', () => {
    expect(() =>
      createPolicyConfig({
        document: { roles: { a: [{ action: 'read', subject: 'A', x: 1 } as never] } },
      }),
    ).toThrow(PolicyValidationError);
  });

  it('is an empty, deny-everything policy when nothing is configured', () => {
    expect(createPolicyConfig(undefined)).toMatchObject({
      origin: 'none',
      document: { roles: {} },
    });
  });
});

describe('createPolicyConfig: watch, reauthOnShrink, decisionLog', () => {
  const file = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
    writeFileSync(path, JSON.stringify({ roles: {} }));
    return path;
  };

  it('has secure, quiet defaults: re-auth on shrink, no watch, no decision log', () => {
    expect(createPolicyConfig(undefined)).toMatchObject({
      reauthOnShrink: true,
      watchMs: null,
      decisionLog: null,
    });
  });

  it('watches only a file, at least every 100 ms', () => {
    expect(createPolicyConfig({ file: file(), watch: '5s' }).watchMs).toBe(5000);
    expect(() => createPolicyConfig({ document: { roles: {} }, watch: '5s' })).toThrow(
      'policy.watch: only with policy.file',
    );
    expect(() => createPolicyConfig({ file: file(), watch: 10 })).toThrow(
      'policy.watch: must be at least 100 ms, got 10 ms',
    );
    expect(() => createPolicyConfig({ file: file(), watch: 'often' })).toThrow('policy.watch');
  });
});
