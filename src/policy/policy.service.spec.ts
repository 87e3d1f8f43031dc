import { subject } from '@casl/ability';
import fc from 'fast-check';
import { createPolicyConfig } from './policy-config.js';
import { PolicyService } from './policy.service.js';
import type { PolicyContext, PolicyDocument, PolicyUser } from './policy.types.js';

const FRIDAY_NOON = Date.parse('2026-03-27T11:00:00Z'); // 12:00 in Berlin
const SATURDAY_NIGHT = Date.parse('2026-03-28T22:10:00Z'); // 23:10 in Berlin

const DOCUMENT: PolicyDocument = {
  version: 'v1',
  networks: { internal: ['10.0.0.0/8', '127.0.0.1/32', '::1/128'] },
  roles: {
    viewer: [{ action: 'read', subject: 'Article' }],
    editor: [
      { action: ['read', 'update'], subject: 'Article', conditions: { authorId: '${user.id}' } },
      {
        id: 'publish-in-hours',
        action: ['publish', 'read'],
        subject: ['Article', 'Report'],
        when: { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
      },
      {
        id: 'no-archive-edits',
        action: 'update',
        subject: 'Article',
        conditions: { archived: true },
        inverted: true,
        reason: 'article_archived',
      },
    ],
    admin: [
      { id: 'admin-internal', action: 'manage', subject: 'all', when: { network: 'internal' } },
    ],
  },
};

const service = (document: PolicyDocument = DOCUMENT, extra = {}) =>
  new PolicyService({ ...createPolicyConfig({ document }), ...extra });
const context = (extra: Partial<PolicyContext> = {}): PolicyContext => ({
  now: FRIDAY_NOON,
  ip: '10.0.0.5',
  country: 'DE',
  authLevel: 'password',
  sessionCreatedAt: FRIDAY_NOON - 60_000,
  authenticatedAt: FRIDAY_NOON - 60_000,
  ...extra,
});
const bob: PolicyUser = { id: '2', roles: ['editor'] };
const alice: PolicyUser = { id: '1', roles: ['admin'] };
const article = (authorId: string, extra = {}) => subject('Article', { id: 9, authorId, ...extra });

describe('PolicyService decisions', () => {
  const policy = service();

  it('lets an editor update only their own articles', () => {
    expect(policy.can(bob, 'update', article('2'), context())).toBe(true);
    expect(policy.can(bob, 'update', article('1'), context())).toBe(false);
  });

  it('never grants a type-level check through a conditional rule', () => {
    expect(policy.can(bob, 'update', 'Article', context())).toBe(false);
    expect(policy.abilityFor(bob, context()).can('update', 'Article')).toBe(true);
  });

  it('leaves out a rule whose when fails', () => {
    expect(policy.can(bob, 'publish', 'Article', context())).toBe(true);
    expect(policy.can(bob, 'publish', 'Article', context({ now: SATURDAY_NIGHT }))).toBe(false);
    expect(policy.can(alice, 'delete', 'Article', context({ ip: '192.0.2.1' }))).toBe(false);
  });

  it('lets a prohibition apply only while its own when holds', () => {
    const policy = service({
      roles: {
        staff: [
          { action: 'read', subject: 'Payroll' },
          {
            action: 'read',
            subject: 'Payroll',
            inverted: true,
            reason: 'off_site',
            when: { notNetwork: ['10.0.0.0/8'] },
          },
        ],
      },
    });
    const staff = { id: 's', roles: ['staff'] };
    expect(policy.can(staff, 'read', 'Payroll', context())).toBe(true);
    expect(policy.explain(staff, 'read', 'Payroll', context({ ip: '192.0.2.1' }))).toMatchObject({
      allowed: false,
      reason: 'off_site',
    });
  });

  it('denies everything when no policy is configured', () => {
    const none = new PolicyService(createPolicyConfig(undefined));
    expect(none.can(alice, 'read', 'Article', context())).toBe(false);
    expect(none.origin).toBe('none');
  });

  it('ignores roles the policy does not define', () => {
    expect(policy.can({ id: 'x', roles: ['ghost'] }, 'read', 'Article', context())).toBe(false);
    expect(policy.can({ id: 'x', roles: ['ghost', 'viewer'] }, 'read', 'Article', context())).toBe(
      true,
    );
  });

  it('leaves out an allow rule whose template has no value', () => {
    const policy = service({
      roles: {
        member: [{ action: 'read', subject: 'Doc', conditions: { tenantId: '${user.tenantId}' } }],
      },
    });
    const doc = subject('Doc', { tenantId: null });
    expect(policy.can({ id: '1', roles: ['member'] }, 'read', doc, context())).toBe(false);
    expect(policy.can({ id: '1', roles: ['member'], tenantId: null }, 'read', doc, context())).toBe(
      false,
    );
    const own = subject('Doc', { tenantId: 't1' });
    expect(policy.can({ id: '1', roles: ['member'], tenantId: 't1' }, 'read', own, context())).toBe(
      true,
    );
  });

  it('adds code-first rules after the document, taking priority', () => {
    const policy = service(DOCUMENT, {
      defineAbility: (user: PolicyUser, _context: PolicyContext, { can, cannot }: any) => {
        if (user.roles.includes('editor')) can('read', 'Draft');
        cannot('publish', 'Article').because('publishing_frozen');
      },
    });
    expect(policy.can(bob, 'read', 'Draft', context())).toBe(true);
    expect(policy.explain(bob, 'publish', 'Article', context())).toMatchObject({
      allowed: false,
      reason: 'publishing_frozen',
      decidingRule: { id: 'defineAbility[1]', origin: 'defineAbility', role: null },
    });
  });
});

describe('PolicyService cache', () => {
  it('shares one ability between the same roles in any order', () => {
    const policy = service();
    const one = policy.abilityFor({ id: '1', roles: ['viewer', 'admin'] }, context());
    const two = policy.abilityFor({ id: '2', roles: ['admin', 'viewer', 'ghost'] }, context());
    expect(two).toBe(one);
    expect(policy.cachedAbilities).toBe(1);
  });

  it('shares one ability between any role order, as a property', () => {
    const policy = service();
    const roles = fc.subarray(['viewer', 'admin', 'ghost'], { minLength: 1 });
    fc.assert(
      fc.property(roles, fc.nat(), (set, seed) => {
        const shuffled = [...set].sort(
          (a, b) => ((a.charCodeAt(0) * seed) % 7) - ((b.charCodeAt(0) * seed) % 7),
        );
        const a = policy.cacheKeyFor({ id: 'a', roles: set }, context());
        const b = policy.cacheKeyFor({ id: 'b', roles: shuffled }, context());
        expect(b).toBe(a);
      }),
    );
  });

  it('builds a different ability for a different when outcome, and reuses it', () => {
    const policy = service();
    const office = policy.abilityFor(alice, context());
    const home = policy.abilityFor(alice, context({ ip: '192.0.2.1' }));
    expect(home).not.toBe(office);
    expect(policy.abilityFor(alice, context({ ip: '10.9.9.9' }))).toBe(office);
    expect(policy.cacheKeyFor(alice, context())).toMatch(/\|1$/);
    expect(policy.cacheKeyFor(alice, context({ ip: '192.0.2.1' }))).toMatch(/\|0$/);
  });

  it('keys by user only when the rules use templates of the user', () => {
    const policy = service();
    const carol = { id: '3', roles: ['viewer'] };
    const dave = { id: '4', roles: ['viewer'] };
    expect(policy.abilityFor(carol, context())).toBe(policy.abilityFor(dave, context()));
    const other = { id: '5', roles: ['editor'] };
    expect(policy.abilityFor(bob, context())).not.toBe(policy.abilityFor(other, context()));
    expect(policy.cacheKeyFor(bob, context())).toContain('"2"');
  });

  it('puts the policy version in every key', () => {
    const v1 = service();
    const v2 = service({ ...DOCUMENT, version: 'v2' });
    expect(v1.version).toBe('v1');
    expect(v1.cacheKeyFor(alice, context()).startsWith('v1|')).toBe(true);
    expect(v2.cacheKeyFor(alice, context()).startsWith('v2|')).toBe(true);
  });

  it('stays within its capacity', () => {
    const policy = service(DOCUMENT, { cacheSize: 3 });
    for (let id = 0; id < 10; id++) policy.abilityFor({ id, roles: ['editor'] }, context());
    expect(policy.cachedAbilities).toBe(3);
  });
});

describe('PolicyService.explain', () => {
  const policy = service();

  it('names the deciding rule and the policy version', () => {
    expect(policy.explain(bob, 'update', article('2'), context())).toEqual({
      allowed: true,
      reason: null,
      conditional: false,
      decidingRule: {
        id: 'editor[0]',
        origin: 'options',
        role: 'editor',
        inverted: false,
        reason: null,
      },
      failedWhen: [],
      policyVersion: 'v1',
    });
  });

  it('gives the failing when as the reason when it alone stands in the way', () => {
    const explanation = policy.explain(bob, 'read', 'Report', context({ now: SATURDAY_NIGHT }));
    expect(explanation).toEqual({
      allowed: false,
      reason: 'outside_allowed_hours',
      conditional: false,
      decidingRule: null,
      failedWhen: [
        {
          ruleId: 'publish-in-hours',
          reason: 'outside_allowed_hours',
          detail: 'Sat 23:10 in Europe/Berlin is outside Mon-Fri 09:00-18:00',
        },
      ],
      policyVersion: 'v1',
    });
  });

  it("gives the deciding prohibition's reason", () => {
    const explanation = policy.explain(bob, 'update', article('2', { archived: true }), context());
    expect(explanation).toMatchObject({
      allowed: false,
      reason: 'article_archived',
      decidingRule: { id: 'no-archive-edits', inverted: true, reason: 'article_archived' },
    });
  });

  it('gives no reason when nothing would allow it', () => {
    expect(policy.explain(bob, 'delete', article('2'), context())).toMatchObject({
      allowed: false,
      reason: null,
      decidingRule: null,
      failedWhen: [],
    });
  });

  it('lists failed whens of other rules about the same action and subject only', () => {
    const explanation = policy.explain(alice, 'read', 'Article', context({ ip: '::2' }));
    expect(explanation.failedWhen).toEqual([
      {
        ruleId: 'admin-internal',
        reason: 'network_not_allowed',
        detail: expect.stringContaining("client address '::2'"),
      },
    ]);
    expect(explanation.reason).toBe('network_not_allowed');
  });

  it('says when a type-level answer depends on the instance', () => {
    expect(policy.explain(bob, 'update', 'Article', context())).toMatchObject({
      allowed: false,
      conditional: true,
    });
  });
});

describe('type-level checks', () => {
  it('are allowed only if every instance is allowed', () => {
    const conditions = fc.option(
      fc.oneof(
        fc.record({ authorId: fc.constantFrom('1', '2') }),
        fc.record({ archived: fc.boolean() }),
      ),
      { nil: undefined },
    );
    const rule = fc.record({
      action: fc.constantFrom('read', 'update', 'manage'),
      subject: fc.constantFrom('Article', 'all'),
      conditions,
      inverted: fc.boolean(),
    });
    const instance = fc.record({
      authorId: fc.constantFrom('1', '2', '3'),
      archived: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 6 }),
        fc.array(instance, { minLength: 1 }),
        (rules, items) => {
          const clean = rules.map(({ conditions: c, ...r }) => (c ? { ...r, conditions: c } : r));
          const policy = service({ roles: { r: clean } });
          const user = { id: '1', roles: ['r'] };
          if (policy.can(user, 'update', 'Article', context())) {
            for (const item of items) {
              expect(policy.can(user, 'update', subject('Article', { ...item }), context())).toBe(
                true,
              );
            }
          }
        },
      ),
    );
  });
});
