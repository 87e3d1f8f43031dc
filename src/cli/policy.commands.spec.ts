import { jest } from '@jest/globals';
import { createPolicyConfig } from '../policy/policy-config.js';
import { PolicyService } from '../policy/policy.service.js';
import { CliExit } from './cli-io.js';
import { policyExplainCommand } from './policy.commands.js';

const policy = new PolicyService(
  createPolicyConfig({
    document: {
      roles: {
        editor: [
          {
            id: 'edit-own',
            action: 'update',
            subject: 'Article',
            conditions: { authorId: '${user.id}' },
          },
        ],
        viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
      },
    },
  }),
);
const users = {
  findById: async (id: string) => (id === '2' ? { id: '2', roles: ['editor'] } : null),
};
const run = { actor: 'cli:test', json: true };

describe('policy explain --as user:<id>', () => {
  let out: string;
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it("asks with the user's roles and id from the app's user directory", async () => {
    const flags = {
      as: 'user:2',
      action: 'update',
      subject: 'Article',
      resource: '{"authorId":"2"}',
    };
    await policyExplainCommand({ policy, users }, flags, run);
    expect(JSON.parse(out)).toMatchObject({ allowed: true, decidingRule: { id: 'edit-own' } });
  });

  it('asks about a remembered session with --remembered, and exits 2 naming a bad value', async () => {
    const guarded = new PolicyService(
      createPolicyConfig({
        document: {
          roles: {
            editor: [
              { id: 'edit', action: 'update', subject: 'Article', when: { remembered: false } },
            ],
          },
        },
      }),
    );
    const flags = { as: 'editor', action: 'update', subject: 'Article' };
    await policyExplainCommand({ policy: guarded }, { ...flags, remembered: 'true' }, run);
    expect(JSON.parse(out)).toMatchObject({ allowed: false, reason: 'remembered_session' });
    out = '';
    await policyExplainCommand({ policy: guarded }, { ...flags, remembered: 'false' }, run);
    expect(JSON.parse(out)).toMatchObject({ allowed: true, decidingRule: { id: 'edit' } });
    await expect(
      policyExplainCommand({ policy: guarded }, { ...flags, remembered: 'maybe' }, run),
    ).rejects.toThrow(/--remembered: expected true or false/);
  });

  it('asks about an impersonation session with --impersonated', async () => {
    const guarded = new PolicyService(
      createPolicyConfig({
        document: {
          roles: {
            editor: [
              { id: 'edit', action: 'update', subject: 'Article', when: { impersonated: false } },
            ],
          },
        },
      }),
    );
    const flags = { as: 'editor', action: 'update', subject: 'Article' };
    await policyExplainCommand({ policy: guarded }, { ...flags, impersonated: 'true' }, run);
    expect(JSON.parse(out)).toMatchObject({ allowed: false, reason: 'impersonation' });
    out = '';
    await policyExplainCommand({ policy: guarded }, { ...flags, impersonated: 'false' }, run);
    expect(JSON.parse(out)).toMatchObject({ allowed: true, decidingRule: { id: 'edit' } });
    await expect(
      policyExplainCommand({ policy: guarded }, { ...flags, impersonated: 'maybe' }, run),
    ).rejects.toThrow(/--impersonated: expected true or false/);
  });

  it('exits 2 for an unknown user', async () => {
    const flags = { as: 'user:9', action: 'read', subject: 'Article' };
    await expect(policyExplainCommand({ policy, users }, flags, run)).rejects.toThrow(
      new CliExit(2, '--as user:9: no such user'),
    );
  });
});
