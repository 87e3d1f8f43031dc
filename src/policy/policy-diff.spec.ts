import { diffPolicies, roleSetShrinks } from './policy-diff.js';
import { createPolicyConfig } from './policy-config.js';
import { PolicyService } from './policy.service.js';
import { PolicyValidationError } from './policy-validation.error.js';
import type { PolicyDocument } from './policy.types.js';

const base: PolicyDocument = {
  networks: { internal: ['10.0.0.0/8'] },
  roles: {
    admin: [{ id: 'admin-all', action: 'manage', subject: 'all', when: { network: 'internal' } }],
    editor: [
      { id: 'editor-read', action: 'read', subject: 'Article' },
      { id: 'no-archived', action: 'update', subject: 'Article', inverted: true },
      { id: 'editor-update', action: 'update', subject: 'Article' },
    ],
    viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
  },
};

const withRoles = (roles: PolicyDocument['roles']): PolicyDocument => ({ ...base, roles });

describe('diffPolicies', () => {
  it('ignores ids and formatting: a renamed, re-keyed rule is no change', () => {
    const renamed = withRoles({
      ...base.roles,
      viewer: [{ subject: 'Article', action: ['read'], id: 'viewer-can-read' }],
    });
    const diff = diffPolicies(base, renamed, '1', '2');
    expect(diff).toMatchObject({ granted: [], revoked: [], forbidden: [], lifted: [] });
    expect(diff.shrunkRoles).toEqual([]);
  });

  it('names revoked and granted rules in words, and the roles that shrink', () => {
    const next = withRoles({
      ...base.roles,
      editor: base.roles.editor.filter((rule) => rule.id !== 'editor-update'),
      viewer: [...base.roles.viewer, { id: 'viewer-report', action: 'read', subject: 'Report' }],
    });
    const diff = diffPolicies(base, next, '1', '2');
    expect(diff.revoked).toEqual([
      { role: 'editor', id: 'editor-update', rule: 'allows update on Article' },
    ]);
    expect(diff.granted).toEqual([
      { role: 'viewer', id: 'viewer-report', rule: 'allows read on Report' },
    ]);
    expect(diff.shrunkRoles).toEqual(['editor']);
  });

  it('counts a named network that now means other addresses as a changed rule', () => {
    const next = { ...base, networks: { internal: ['10.1.0.0/16'] } };
    const diff = diffPolicies(base, next, '1', '2');
    expect(diff.revoked.map((c) => c.id)).toEqual(['admin-all']);
    expect(diff.granted[0].rule).toBe('allows manage on all, only when network: internal');
    expect(diff.shrunkRoles).toEqual(['admin']);
  });

  it('treats a new prohibition and a reordering around a prohibition as shrinking', () => {
    const forbidding = withRoles({
      ...base.roles,
      viewer: [
        ...base.roles.viewer,
        { id: 'no-drafts', action: 'read', subject: 'Draft', inverted: true },
      ],
    });
    expect(diffPolicies(base, forbidding, '1', '2')).toMatchObject({
      forbidden: [{ id: 'no-drafts' }],
      shrunkRoles: ['viewer'],
    });
    const [read, forbid, update] = base.roles.editor;
    const reordered = withRoles({ ...base.roles, editor: [read, update, forbid] });
    expect(diffPolicies(base, reordered, '1', '2')).toMatchObject({
      reordered: ['editor'],
      shrunkRoles: ['editor'],
      revoked: [],
    });
  });
});

describe('roleSetShrinks', () => {
  const noViewerRead = withRoles({ ...base.roles, viewer: [] });

  it('is true for the roles that lose a grant, false for the others', () => {
    expect(roleSetShrinks(base, noViewerRead, ['viewer'])).toBe(true);
    expect(roleSetShrinks(base, noViewerRead, ['admin'])).toBe(false);
    expect(roleSetShrinks(base, noViewerRead, [])).toBe(false);
  });

  it('is false when another role of the user still grants the same thing', () => {
    expect(roleSetShrinks(base, noViewerRead, ['editor', 'viewer'])).toBe(false);
  });
});

describe('PolicyService.load', () => {
  const service = () => new PolicyService(createPolicyConfig({ document: base }));
  const editor = { id: '2', roles: ['editor'], tenantId: null };
  const context = {
    now: 0,
    ip: '10.0.0.1',
    country: null,
    authLevel: 'password',
    sessionCreatedAt: 0,
    authenticatedAt: 0,
  };

  it('puts a new version in force at once, dropping the abilities of the old one', () => {
    const policy = service();
    const viewer = { ...editor, roles: ['viewer'] };
    expect(policy.can(viewer, 'update', 'Article', context)).toBe(false);
    const swap = policy.load({
      document: withRoles({ viewer: [{ action: 'update', subject: 'Article' }] }),
    });
    expect(swap?.previous.version).not.toBe(swap?.next.version);
    expect(policy.version).toBe(swap?.next.version);
    expect(policy.can(viewer, 'update', 'Article', context)).toBe(true);
  });

  it('answers null for the same rules, and keeps the policy in force when the new one is invalid', () => {
    const policy = service();
    const version = policy.version;
    expect(policy.load({ document: base })).toBeNull();
    expect(() =>
      policy.load({ document: { roles: { editor: [{ action: 'read' }] } } as never }),
    ).toThrow(PolicyValidationError);
    expect(policy.version).toBe(version);
    expect(policy.can(editor, 'read', 'Article', context)).toBe(true);
  });
});
