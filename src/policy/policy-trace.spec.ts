import { subject } from '@casl/ability';
import fc from 'fast-check';
import { createPolicyConfig } from './policy-config.js';
import { PolicyService } from './policy.service.js';
import type { PolicyContext, PolicyDocument } from './policy.types.js';

const SATURDAY_NIGHT = Date.parse('2026-03-28T22:10:00Z'); // 23:10 in Berlin
const FRIDAY_NOON = Date.parse('2026-03-27T11:00:00Z');

const DOCUMENT: PolicyDocument = {
  networks: { internal: ['10.0.0.0/8'] },
  roles: {
    editor: [
      { id: 'read-all', action: 'read', subject: 'Article' },
      { id: 'own', action: 'update', subject: 'Article', conditions: { authorId: '${user.id}' } },
      {
        id: 'no-archived',
        action: 'update',
        subject: 'Article',
        conditions: { archived: true },
        inverted: true,
        reason: 'article_archived',
      },
      {
        id: 'reports',
        action: 'read',
        subject: 'Report',
        when: { hours: { days: 'Mon-Fri', from: '08:00', to: '20:00', tz: 'Europe/Berlin' } },
      },
    ],
    admin: [{ id: 'admin-all', action: 'manage', subject: 'all', when: { network: 'internal' } }],
  },
};

const policy = new PolicyService(createPolicyConfig({ document: DOCUMENT }));
const context = (extra: Partial<PolicyContext> = {}): PolicyContext => ({
  now: FRIDAY_NOON,
  ip: '203.0.113.9',
  country: null,
  authLevel: 'password',
  sessionCreatedAt: null,
  authenticatedAt: null,
  ...extra,
});
const outcomes = (trace: { rules: { id: string; outcome: string }[] }) =>
  Object.fromEntries(trace.rules.map((rule) => [rule.id, rule.outcome]));

describe('PolicyService.trace (what-if)', () => {
  it('names the failed when block of every relevant rule, with its reason and detail', () => {
    const trace = policy.trace({ id: 2, roles: ['editor', 'admin'] }, 'read', 'Report', {
      ...context(),
      now: SATURDAY_NIGHT,
    });
    expect(trace).toMatchObject({ allowed: false, action: 'read', subjectType: 'Report' });
    expect(trace.rules.find((rule) => rule.id === 'reports')).toEqual({
      id: 'reports',
      role: 'editor',
      origin: 'options',
      inverted: false,
      relevant: true,
      when: {
        status: 'failed',
        reason: 'outside_allowed_hours',
        detail: 'Sat 23:10 in Europe/Berlin is outside Mon-Fri 08:00-20:00',
      },
      conditions: 'none',
      outcome: 'when_failed',
    });
    expect(trace.rules.find((rule) => rule.id === 'admin-all')?.when).toMatchObject({
      status: 'failed',
      reason: 'network_not_allowed',
    });
    expect(outcomes(trace)).toEqual({
      'read-all': 'not_relevant',
      own: 'not_relevant',
      'no-archived': 'not_relevant',
      reports: 'when_failed',
      'admin-all': 'when_failed',
    });
  });

  it('lists every rule in priority order: the decider, the overridden, the unmatched instance', () => {
    const user = { id: 2, roles: ['editor', 'admin'] };
    const own = policy.trace(user, 'update', subject('Article', { authorId: 2 }), {
      ...context(),
      ip: '10.1.2.3',
    });
    expect(own.decidingRule?.id).toBe('admin-all');
    expect(outcomes(own)).toMatchObject({
      own: 'overridden',
      'no-archived': 'conditions_not_met',
      'admin-all': 'decided',
    });
    expect(own.rules.find((rule) => rule.id === 'own')?.conditions).toBe('matched');

    const archived = policy.trace(
      { id: 2, roles: ['editor'] },
      'update',
      subject('Article', { authorId: 2, archived: true }),
      context(),
    );
    expect(archived).toMatchObject({ allowed: false, reason: 'article_archived' });
    expect(outcomes(archived)).toMatchObject({ own: 'overridden', 'no-archived': 'decided' });
  });

  it('marks conditional rules when only a subject type was asked', () => {
    const trace = policy.trace({ id: 2, roles: ['editor'] }, 'update', 'Article', context());
    expect(trace).toMatchObject({ allowed: false, conditional: true });
    expect(outcomes(trace)).toMatchObject({ own: 'conditional', 'no-archived': 'conditional' });
    expect(trace.rules.find((rule) => rule.id === 'own')?.conditions).toBe('not_checked');
  });

  it('shows an allow rule whose template has no value as left out', () => {
    const tenants = new PolicyService(
      createPolicyConfig({
        document: {
          roles: {
            member: [
              {
                id: 'tenant-docs',
                action: 'read',
                subject: 'Doc',
                conditions: { tenantId: '${user.tenantId}' },
              },
            ],
          },
        },
      }),
    );
    const trace = tenants.trace(
      { id: 1, roles: ['member'], tenantId: null },
      'read',
      subject('Doc', { tenantId: null }),
      context(),
    );
    expect(trace.allowed).toBe(false);
    expect(outcomes(trace)).toEqual({ 'tenant-docs': 'no_template_value' });
  });

  it('includes code-first rules after the document rules', () => {
    const coded = new PolicyService({
      ...createPolicyConfig({ document: DOCUMENT }),
      defineAbility: (_user, _context, { can }) => can('read', 'Report'),
    });
    const trace = coded.trace({ id: 2, roles: ['editor'] }, 'read', 'Report', {
      ...context(),
      now: SATURDAY_NIGHT,
    });
    expect(trace.allowed).toBe(true);
    expect(trace.rules.at(-1)).toMatchObject({ id: 'defineAbility[0]', outcome: 'decided' });
  });

  it('agrees with explain() and can() for any roles, instance, time and address', () => {
    const roles = fc.subarray(['editor', 'admin', 'viewer']);
    const action = fc.constantFrom('read', 'update', 'publish');
    const type = fc.constantFrom('Article', 'Report');
    const instance = fc.option(
      fc.record({ authorId: fc.constantFrom(1, 2), archived: fc.boolean() }),
    );
    const now = fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') });
    const ip = fc.constantFrom('10.1.2.3', '203.0.113.9', '');
    fc.assert(
      fc.property(roles, action, type, instance, now, ip, (r, a, t, item, at, from) => {
        const user = { id: 2, roles: r };
        const target = item === null ? t : subject(t, { ...item });
        const ctx = context({ now: at, ip: from });
        const trace = policy.trace(user, a, target, ctx);
        const { rules, action: _a, subjectType, ...explanation } = trace;
        expect(explanation).toEqual(policy.explain(user, a, target, ctx));
        expect(subjectType).toBe(t);
        expect(trace.allowed).toBe(policy.can(user, a, target, ctx));
        const decided = rules.filter((rule) => rule.outcome === 'decided').map((rule) => rule.id);
        expect(decided).toEqual(trace.decidingRule ? [trace.decidingRule.id] : []);
        expect(
          rules.filter((rule) => rule.outcome === 'when_failed').map((rule) => rule.id),
        ).toEqual(trace.failedWhen.map((failed) => failed.ruleId));
      }),
    );
  });
});
