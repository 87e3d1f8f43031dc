import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFile, validatePolicy } from './policy-loader.js';
import { PolicyValidationError } from './policy-validation.error.js';

const rule = (extra: Record<string, unknown> = {}) => ({
  action: 'read',
  subject: 'Article',
  ...extra,
});
const withWhen = (when: unknown) => ({ roles: { editor: [rule(), rule({ when })] } });
const problemsOf = (input: unknown, levels?: string[]): string[] => {
  try {
    validatePolicy(input, 'options', levels);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return (error as PolicyValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the policy to be rejected');
};

describe('validatePolicy', () => {
  it('names the exact path of an unknown time zone', () => {
    const input = withWhen({ hours: { from: '09:00', to: '18:00', tz: 'Europe/Berlim' } });
    expect(() => validatePolicy(input, 'options')).toThrow(
      "policy.roles.editor[1].when.hours.tz: unknown time zone 'Europe/Berlim'",
    );
  });

  it.each<[string, unknown, string]>([
    [
      'an unknown key in a rule',
      { roles: { editor: [rule({ actions: 'x' })] } },
      'policy.roles.editor[0].actions: unknown key',
    ],
    ['an unknown top-level key', { roles: {}, role: {} }, 'policy.role: unknown key'],
    [
      'an unknown key in when',
      withWhen({ hour: {} }),
      'policy.roles.editor[1].when.hour: unknown key',
    ],
    [
      'an empty action list',
      { roles: { editor: [rule({ action: [] })] } },
      'policy.roles.editor[0].action: list of action must not be empty',
    ],
    [
      'an empty action',
      { roles: { editor: [rule({ action: '' })] } },
      'policy.roles.editor[0].action',
    ],
    [
      'a missing subject',
      { roles: { editor: [{ action: 'read' }] } },
      'policy.roles.editor[0].subject: required',
    ],
    [
      'a bad CIDR in a named network',
      { networks: { office: ['10.0.0.0/8', '10.0.0.0/33'] }, roles: {} },
      "policy.networks.office[1]: invalid CIDR '10.0.0.0/33'",
    ],
    [
      'a bad inline CIDR',
      withWhen({ network: ['10.0.0.0/8', '300.1.1.1'] }),
      "policy.roles.editor[1].when.network[1]: invalid CIDR '300.1.1.1'",
    ],
    [
      'an undefined network',
      withWhen({ network: 'office' }),
      "policy.roles.editor[1].when.network: unknown network 'office'",
    ],
    [
      'an undefined network in notNetwork',
      withWhen({ notNetwork: ['vpn'] }),
      "policy.roles.editor[1].when.notNetwork[0]: unknown network 'vpn'",
    ],
    [
      'hour 25',
      withWhen({ hours: { from: '25:00', to: '06:00', tz: 'UTC' } }),
      "policy.roles.editor[1].when.hours.from: invalid time '25:00'",
    ],
    [
      'a one-digit hour',
      withWhen({ hours: { from: '9:00', to: '17:00', tz: 'UTC' } }),
      "policy.roles.editor[1].when.hours.from: invalid time '9:00'",
    ],
    [
      'from equal to to',
      withWhen({ hours: { from: '09:00', to: '09:00', tz: 'UTC' } }),
      "policy.roles.editor[1].when.hours.to: must differ from 'from'",
    ],
    [
      'a missing tz',
      withWhen({ hours: { from: '09:00', to: '17:00' } }),
      'policy.roles.editor[1].when.hours.tz: required',
    ],
    [
      'bad days',
      withWhen({ hours: { days: 'Mon-Fry', from: '09:00', to: '17:00', tz: 'UTC' } }),
      'policy.roles.editor[1].when.hours.days: invalid days "Mon-Fry"',
    ],
    [
      'an impossible date',
      withWhen({ dates: { from: '2026-02-30' } }),
      "policy.roles.editor[1].when.dates.from: invalid date '2026-02-30'",
    ],
    [
      'a reversed date range',
      withWhen({ dates: { from: '2026-03-01', to: '2026-02-01' } }),
      "policy.roles.editor[1].when.dates.to: must be later than 'from'",
    ],
    [
      'an empty date range',
      withWhen({ dates: {} }),
      "policy.roles.editor[1].when.dates: set 'from', 'to' or both",
    ],
    [
      'a three-letter country',
      withWhen({ country: ['DEU'] }),
      'policy.roles.editor[1].when.country[0]: expected an ISO 3166-1 alpha-2 code',
    ],
    [
      'an unknown auth level',
      withWhen({ authLevel: 'otp' }),
      "policy.roles.editor[1].when.authLevel: unknown auth level 'otp' (known: password, mfa)",
    ],
    [
      'a bad session age',
      withWhen({ maxSessionAge: 'soon' }),
      'policy.roles.editor[1].when.maxSessionAge: invalid duration "soon"',
    ],
    [
      'remembered as text',
      withWhen({ remembered: 'no' }),
      'policy.roles.editor[1].when.remembered: expected true or false (false: not in a remembered session)',
    ],
    [
      'impersonated as text',
      withWhen({ impersonated: 'no' }),
      'policy.roles.editor[1].when.impersonated: expected true or false (false: not while an admin impersonates)',
    ],
    ['an empty when', withWhen({}), 'policy.roles.editor[1].when: must set at least one condition'],
    [
      'an unknown template',
      { roles: { editor: [rule({ conditions: { ownerId: '${user.name}' } })] } },
      "policy.roles.editor[0].conditions.ownerId: unsupported template '${user.name}'",
    ],
    [
      'an embedded template',
      { roles: { editor: [rule({ conditions: { path: 'home/${user.id}' } })] } },
      'policy.roles.editor[0].conditions.path: unsupported template',
    ],
    [
      '$or, which CASL would read as a field',
      { roles: { editor: [rule({ conditions: { $or: [{ a: 1 }] } })] } },
      "policy.roles.editor[0].conditions.$or: '$or' is not supported here",
    ],
    [
      'an unknown operator',
      { roles: { editor: [rule({ conditions: { a: { $not: 1 } } })] } },
      "policy.roles.editor[0].conditions.a.$not: unsupported operator '$not'",
    ],
    [
      'a prototype key',
      { roles: { editor: [rule({ conditions: JSON.parse('{"__proto__": {"x": 1}}') })] } },
      "policy.roles.editor[0].conditions.__proto__: key '__proto__' is not allowed",
    ],
    [
      'a reason on an allow rule',
      { roles: { editor: [rule({ reason: 'x' })] } },
      'policy.roles.editor[0].reason: only a prohibition',
    ],
    [
      'a duplicate rule id',
      { roles: { a: [rule({ id: 'r' })], b: [rule({ id: 'r' })] } },
      "policy.roles.b[0].id: duplicate rule id 'r' (also a[0])",
    ],
    [
      'an id taken by a default id',
      { roles: { a: [rule(), rule({ id: 'a[0]' })] } },
      "policy.roles.a[1].id: duplicate rule id 'a[0]'",
    ],
    ['roles that are not an object', { roles: [] }, 'policy.roles: expected an object of roles'],
    [
      'rules that are not a list',
      { roles: { a: rule() } },
      'policy.roles.a: expected a list of rules',
    ],
    ['a document that is not an object', 'roles: {}', 'policy: expected a policy object'],
  ])('rejects %s, naming its path', (_name, input, expected) => {
    expect(problemsOf(input).join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    const input = {
      roles: {
        a: [
          rule({ foo: 1 }),
          rule({ when: { hours: { from: '09:00', to: '17:00', tz: 'Mars/Base' } } }),
        ],
      },
    };
    expect(problemsOf(input).sort()).toEqual([
      'policy.roles.a[0].foo: unknown key',
      "policy.roles.a[1].when.hours.tz: unknown time zone 'Mars/Base'",
    ]);
  });

  it("accepts '00:00' to '24:00' as whole days", () => {
    const input = withWhen({ hours: { days: 'Sat,Sun', from: '00:00', to: '24:00', tz: 'UTC' } });
    expect(() => validatePolicy(input, 'options')).not.toThrow();
  });

  it('checks auth levels against the configured order', () => {
    expect(problemsOf(withWhen({ authLevel: 'mfa' }), ['password', 'webauthn'])).toEqual([
      "policy.roles.editor[1].when.authLevel: unknown auth level 'mfa' (known: password, webauthn)",
    ]);
  });

  it('names the path of a bad time zone wherever the rule is', () => {
    const roleName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
    fc.assert(
      fc.property(roleName, fc.integer({ min: 0, max: 5 }), (role, index) => {
        const rules = Array.from({ length: index + 1 }, () => rule());
        rules[index] = rule({
          when: { hours: { from: '09:00', to: '17:00', tz: 'Europe/Berlim' } },
        });
        expect(problemsOf({ roles: { [role]: rules } })).toEqual([
          `policy.roles.${role}[${index}].when.hours.tz: unknown time zone 'Europe/Berlim'`,
        ]);
      }),
    );
  });

  it('gives every rule a stable id and keeps explicit ones', () => {
    const document = validatePolicy(
      { roles: { editor: [rule(), rule({ id: 'publish-in-hours' })] } },
      'options',
    );
    expect(document.roles.editor.map((r) => r.id)).toEqual(['editor[0]', 'publish-in-hours']);
  });

  it('accepts the policy of the design document', () => {
    const document = validatePolicy(
      {
        networks: { internal: ['10.0.0.0/8', '127.0.0.1/32', '::1/128'] },
        roles: {
          editor: [
            {
              action: ['read', 'update'],
              subject: 'Article',
              conditions: { authorId: '${user.id}' },
            },
            {
              action: 'publish',
              subject: 'Article',
              when: { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
            },
          ],
          admin: [{ action: 'manage', subject: 'all', when: { network: 'internal' } }],
        },
      },
      'options',
    );
    expect(Object.keys(document.roles)).toEqual(['editor', 'admin']);
  });
});

describe('loadPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads YAML, keeping HH:mm and dates as text', () => {
    const path = file(
      'ok.yaml',
      [
        'version: 7',
        'networks:',
        '  internal: [10.0.0.0/8, "::1/128"]',
        'roles:',
        '  editor:',
        '    - { action: publish, subject: Article, when: { hours: { from: 09:00, to: 18:00, tz: Europe/Berlin }, dates: { to: 2026-12-31 } } }',
        '  admin:',
        '    - { action: manage, subject: all, when: { network: internal } }',
      ].join('\n'),
    );
    const document = loadPolicyFile(path);
    expect(document.version).toBe(7);
    expect(document.roles.editor[0].when?.hours?.from).toBe('09:00');
    expect(document.roles.editor[0].when?.dates?.to).toBe('2026-12-31');
  });

  it('reads JSON', () => {
    const path = file('ok.json', JSON.stringify({ roles: { viewer: [rule()] } }));
    expect(loadPolicyFile(path).roles.viewer[0].id).toBe('viewer[0]');
  });

  it('names the file and the path of a bad entry', () => {
    const path = file(
      'bad.yml',
      'roles:\n  editor:\n    - { action: read, subject: Article, when: { network: office } }\n',
    );
    expect(() => loadPolicyFile(path)).toThrow(
      new RegExp(
        `policy\\.roles\\.editor\\[0\\]\\.when\\.network: unknown network 'office'[\\s\\S]*${path}`,
      ),
    );
  });

  it('rejects duplicate YAML keys instead of keeping the last one', () => {
    const path = file('dup.yaml', 'roles:\n  editor: []\n  editor: []\n');
    expect(() => loadPolicyFile(path)).toThrow(/policy: not valid YAML/);
  });

  it('rejects malformed JSON, a missing file and an unknown extension', () => {
    expect(() => loadPolicyFile(file('bad.json', '{"roles": '))).toThrow(/not valid JSON/);
    expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow(/cannot read file/);
    expect(() => loadPolicyFile(file('policy.toml', ''))).toThrow(/unsupported file type '.toml'/);
  });
});
