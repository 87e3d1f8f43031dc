import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInPolicy } from '../example/policy.js';
import { PolicyService, type PolicyDocument } from '../src/index.js';
import { createSchema } from './support/database.js';
import {
  type Client,
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';

/** The built-in policy without `editor-own`, and with reports for viewers at any hour. */
const narrowed: PolicyDocument = {
  ...builtInPolicy,
  roles: {
    ...builtInPolicy.roles,
    editor: builtInPolicy.roles.editor.filter((rule) => rule.id !== 'editor-own'),
    viewer: [
      ...builtInPolicy.roles.viewer,
      { id: 'viewer-reports', action: 'read', subject: 'Report' },
    ],
  },
};

describe('policy changes as events, on two instances of the example app', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let folder: string;
  let file: string;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let admin: Client;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'policy-change-'));
    file = join(folder, 'policy.json');
    writeFileSync(file, JSON.stringify(builtInPolicy));
    schema = await createSchema('policy_changes');
    const environment = newEnvironment(schema.name, { SESSION_POLICY_FILE: file });
    a = await startExample(environment);
    b = await startExample(environment);
    admin = await login(a, 'alice');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const reload = (instance: ExampleInstance, client: Client) =>
    instance.http
      .post('/admin/policy/reload')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({});

  it('rejects an invalid file with 400 naming the bad entry, and keeps the policy in force', async () => {
    const bob = await login(a, 'bob');
    writeFileSync(file, JSON.stringify({ roles: { editor: [{ action: 'read' }] } }));
    const bad = await reload(a, admin).expect(400);
    expect(bad.body).toMatchObject({ error: 'invalid_request' });
    expect(bad.body.message).toContain('roles.editor[0].subject');
    expect(bad.body.message).toContain(file);
    await a.http.get('/articles').set('Cookie', bob.cookie).expect(200);
    writeFileSync(file, JSON.stringify(builtInPolicy));
    const same = await reload(a, admin).expect(200);
    expect(same.body).toMatchObject({ changed: false, recorded: false, reauthUsers: [] });
  });

  it('forces re-authentication of exactly the users who lose a grant, on both instances, and audits the diff once', async () => {
    const bobOnA = await login(a, 'bob');
    const bobOnB = await login(b, 'bob');
    const carolOnB = await login(b, 'carol');
    const aliceOnB = await login(b, 'alice');
    await a.http
      .patch('/articles/1')
      .set('Cookie', bobOnA.cookie)
      .set('X-CSRF-Token', bobOnA.csrf)
      .send({ title: 'before' })
      .expect(200);
    await b.http.get('/reports').set('Cookie', carolOnB.cookie).expect(403);

    writeFileSync(file, JSON.stringify(narrowed));
    const first = await reload(a, admin).expect(200);
    expect(first.body).toMatchObject({ changed: true, recorded: true, reauthUsers: ['2'] });
    expect(first.body.diff.revoked).toEqual([
      expect.objectContaining({ role: 'editor', id: 'editor-own' }),
    ]);
    expect(first.body.diff.revoked[0].rule).toBe(
      'allows update on Article where {"authorId":"${user.id}"}',
    );
    expect(first.body.diff.granted).toEqual([
      { role: 'viewer', id: 'viewer-reports', rule: 'allows read on Report' },
    ]);
    expect(first.body.diff.shrunkRoles).toEqual(['editor']);
    const second = await reload(b, aliceOnB).expect(200);
    expect(second.body).toMatchObject({ changed: true, recorded: false, reauthUsers: [] });
    expect(second.body.version).toBe(first.body.version);

    for (const [instance, client] of [
      [a, bobOnA],
      [b, bobOnB],
    ] as const) {
      const denied = await instance.http.get('/me').set('Cookie', client.cookie).expect(401);
      expect(denied.body).toMatchObject({
        error: 'reauth_required',
        reason: 'permissions_changed',
      });
    }
    // Carol gained a grant and Alice kept hers: neither is asked to sign in again.
    await b.http.get('/reports').set('Cookie', carolOnB.cookie).expect(200);
    await a.http.get('/me').set('Cookie', admin.cookie).expect(200);
    await b.http.get('/me').set('Cookie', aliceOnB.cookie).expect(200);

    const audit = await a.http
      .get('/admin/audit?type=policy.changed')
      .set('Cookie', admin.cookie)
      .expect(200);
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({
      actor: '1',
      outcome: 'success',
      resource: file,
      details: {
        to: first.body.version,
        reauthUsers: ['2'],
        shrunkRoles: ['editor'],
        revoked: [expect.objectContaining({ id: 'editor-own' })],
      },
    });
  });

  it('is for admins with a fresh sign-in only (run last: it moves the clock)', async () => {
    const bob = await login(a, 'bob');
    const denied = await reload(a, bob).expect(403);
    expect(denied.body.error).toBe('forbidden');
    a.clock.advance('6m');
    const stale = await reload(a, admin).expect(401);
    expect(stale.body).toMatchObject({ error: 'reauth_required', reason: 'stale_authentication' });
  });
});

describe('a watched policy file (SESSION_POLICY_WATCH), on two instances', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let folder: string;
  let file: string;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'policy-watch-'));
    file = join(folder, 'policy.json');
    writeFileSync(file, JSON.stringify(builtInPolicy));
    schema = await createSchema('policy_watch');
    const environment = newEnvironment(schema.name, {
      SESSION_POLICY_FILE: file,
      SESSION_POLICY_WATCH: '100ms',
    });
    a = await startExample(environment);
    b = await startExample(environment);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Polls (real time: the file is checked by the file system's clock) until `ok()`. */
  async function eventually(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const start = Date.now();
    while (!(await ok())) {
      if (Date.now() - start > ms) throw new Error('not within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('loads a changed file on every instance by itself, keeps the policy on an invalid one, and records the change once', async () => {
    const bobOnA = await login(a, 'bob');
    const carolOnB = await login(b, 'carol');
    await b.http.get('/reports').set('Cookie', carolOnB.cookie).expect(403);
    const version = a.app.get(PolicyService).version;

    writeFileSync(file, '{ "roles": { "viewer": [ { "action": "read" } ] } }');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few checks of the bad file
    await a.http.get('/me').set('Cookie', bobOnA.cookie).expect(200);
    expect(a.app.get(PolicyService).version).toBe(version);

    writeFileSync(file, JSON.stringify(narrowed));
    await eventually(
      async () => (await b.http.get('/reports').set('Cookie', carolOnB.cookie)).status === 200,
    );
    await eventually(
      async () => (await a.http.get('/me').set('Cookie', bobOnA.cookie)).status === 401,
    );
    const denied = await b.http.get('/me').set('Cookie', bobOnA.cookie).expect(401);
    expect(denied.body.reason).toBe('permissions_changed');
    const alice = await login(a, 'alice');
    await eventually(async () => {
      const audit = await a.http
        .get('/admin/audit?type=policy.changed')
        .set('Cookie', alice.cookie)
        .expect(200);
      return audit.body.length === 1;
    });
    const audit = await a.http
      .get('/admin/audit?type=policy.changed')
      .set('Cookie', alice.cookie)
      .expect(200);
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({
      actor: null,
      details: { reason: 'file_changed', reauthUsers: ['2'] },
    });
  });
});
