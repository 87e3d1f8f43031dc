import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImpersonationService } from '../src/index.js';
import { createSchema } from './support/database.js';
import {
  type Client,
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
  tokenFrom,
} from './support/example-app.js';

type Schema = Awaited<ReturnType<typeof createSchema>>;

const pair = {} as { a: ExampleInstance; b: ExampleInstance; schema: Schema };

beforeAll(async () => {
  pair.schema = await createSchema('impersonation');
  const environment = newEnvironment(pair.schema.name);
  pair.a = await startExample(environment);
  pair.b = await startExample(environment);
});

afterAll(async () => {
  await pair.a?.close();
  await pair.b?.close();
  await pair.schema?.drop();
});

/** An admin's request to act as user `id` through `instance`. */
function impersonate(instance: ExampleInstance, admin: Client, id: number, body: object) {
  return instance.http
    .post(`/admin/users/${id}/impersonate`)
    .set('Cookie', admin.cookie)
    .set('X-CSRF-Token', admin.csrf)
    .send(body);
}

/** Alice (admin) starts acting as `id` on `instance`: the impersonation session's client. */
async function startImpersonation(instance: ExampleInstance, id = 2, duration = '15m') {
  const alice = await login(instance, 'alice');
  const response = await impersonate(instance, alice, id, {
    reason: 'ticket #4821: cannot save a draft',
    duration,
  }).expect(200);
  const token = tokenFrom(response.headers['set-cookie']);
  const client: Client = {
    cookie: `__Host-t=${token}`,
    token,
    csrf: response.body.csrfToken,
    sessionId: response.body.session.id,
  };
  return { alice, client, response };
}

/** Audit events of user `userId` and `type`, newest first, as an admin reads them. */
async function auditOf(admin: Client, userId: string, type: string) {
  const response = await pair.a.http
    .get(`/admin/audit?userId=${userId}&type=${type}`)
    .set('Cookie', admin.cookie)
    .expect(200);
  return response.body as {
    actor: string | null;
    userId: string;
    sessionId: string;
    details: Record<string, unknown>;
  }[];
}

describe('impersonation: starting it', () => {
  it('answers 200 with the session and a CSRF token, and the cookie is an impersonation session of the user that names the admin', async () => {
    const { client, response } = await startImpersonation(pair.a);
    expect(response.body.session).toMatchObject({ userId: '2', kind: 'impersonation' });
    expect(typeof response.body.csrfToken).toBe('string');
    const me = await pair.b.http.get('/me').set('Cookie', client.cookie).expect(200);
    expect(me.body.user).toMatchObject({ id: 2, username: 'bob' });
    expect(me.body.session).toMatchObject({ id: client.sessionId, kind: 'impersonation' });
    expect(me.body.impersonatedBy).toEqual({
      id: 1,
      username: 'alice',
      reason: 'ticket #4821: cannot save a draft',
    });
    const bob = await login(pair.a, 'bob');
    const own = await pair.a.http.get('/me').set('Cookie', bob.cookie).expect(200);
    expect(own.body.impersonatedBy).toBeNull();
    const listed = await pair.a.http.get('/me/sessions').set('Cookie', bob.cookie).expect(200);
    expect(listed.body).toContainEqual(
      expect.objectContaining({ id: client.sessionId, kind: 'impersonation' }),
    );
  });

  it('keeps the admin session alive and leaves the user signed in', async () => {
    const bob = await login(pair.a, 'bob');
    const { alice } = await startImpersonation(pair.a);
    await pair.b.http.get('/me').set('Cookie', alice.cookie).expect(200);
    await pair.b.http.get('/me').set('Cookie', bob.cookie).expect(200);
  });

  it.each([
    ['no reason', { duration: '15m' }, /^reason: required/],
    ['an empty reason', { reason: ' ', duration: '15m' }, /^reason: required/],
    ['no duration', { reason: 'ticket' }, /^duration: required/],
    ['a duration that is none', { reason: 'ticket', duration: 'soon' }, /^duration: invalid/],
    ['a duration past the maximum', { reason: 'ticket', duration: '2h' }, /^duration: at most/],
  ])('answers 400 naming the field for %s, and starts nothing', async (_name, body, message) => {
    const alice = await login(pair.a, 'alice');
    const response = await impersonate(pair.a, alice, 3, body).expect(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
    expect(response.body.message).toMatch(message);
    expect(response.headers['set-cookie'] ?? []).not.toContainEqual(
      expect.stringMatching(/^__Host-t=(?!;)/),
    );
    const started = await auditOf(alice, '3', 'impersonation.started');
    expect(started).toEqual([]);
  });

  it('answers 400 to impersonating oneself and 404 to an unknown user', async () => {
    const alice = await login(pair.a, 'alice');
    const self = await impersonate(pair.a, alice, 1, { reason: 'x', duration: '5m' }).expect(400);
    expect(self.body.message).toMatch(/^id: /);
    await impersonate(pair.a, alice, 999, { reason: 'x', duration: '5m' }).expect(404);
  });

  it('is refused to a non-admin (403) and without fresh authentication (401 reauth_required)', async () => {
    const bob = await login(pair.a, 'bob');
    await impersonate(pair.a, bob, 3, { reason: 'x', duration: '5m' }).expect(403);
    const alice = await login(pair.a, 'alice');
    pair.a.clock.advance(6 * 60_000);
    pair.b.clock.advance(6 * 60_000);
    const stale = await impersonate(pair.a, alice, 3, { reason: 'x', duration: '5m' }).expect(401);
    expect(stale.body).toMatchObject({ error: 'reauth_required' });
  });
});

describe('impersonation: what it may not do', () => {
  it('answers 403 forbidden with reason impersonation on password, session and admin routes', async () => {
    const { client } = await startImpersonation(pair.a);
    const denied = [
      await pair.b.http
        .post('/me/password')
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf)
        .send({ currentPassword: 'bob-password', newPassword: 'a-new-long-password-1' }),
      await pair.b.http
        .delete('/me/sessions?scope=others')
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf),
      await pair.b.http
        .post(`/me/sessions/${client.sessionId}/report`)
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf),
      await pair.b.http.get('/admin/audit').set('Cookie', client.cookie),
      await pair.b.http.get('/admin/session-revocations').set('Cookie', client.cookie),
      await pair.b.http.get('/admin/queues').set('Cookie', client.cookie),
      await pair.b.http
        .post('/admin/policy/what-if')
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf)
        .send({ as: { roles: ['viewer'] }, action: 'read', subject: 'Article' }),
    ];
    for (const response of denied) {
      expect({ status: response.status, body: response.body }).toMatchObject({
        status: 403,
        body: { error: 'forbidden', reason: 'impersonation' },
      });
    }
    await pair.b.http.get('/articles').set('Cookie', client.cookie).expect(200);
  });

  it('cannot impersonate again: 403 from the route, and from the service for any caller', async () => {
    const { client } = await startImpersonation(pair.a);
    const again = await impersonate(pair.b, client, 3, { reason: 'x', duration: '5m' });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error: 'forbidden', reason: 'impersonation' });
    const service = pair.a.app.get(ImpersonationService);
    const me = await pair.a.http.get('/me').set('Cookie', client.cookie).expect(200);
    const session = { id: me.body.session.id, userId: '2', kind: 'impersonation' } as never;
    await expect(
      service.start(session, { id: 3, roles: ['viewer'] }, { reason: 'x', duration: '5m' }),
    ).rejects.toMatchObject({ status: 403, response: { reason: 'impersonation' } });
  });
});

describe('impersonation: the record and the user', () => {
  it('names both the admin and the user in every audit record of the session', async () => {
    const { alice, client } = await startImpersonation(pair.a, 3);
    await pair.b.http
      .post('/me/password')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({})
      .expect(403);
    for (const type of ['impersonation.started', 'session.created', 'access.denied']) {
      const [event] = (await auditOf(alice, '3', type)).filter(
        (e) => e.sessionId === client.sessionId,
      );
      expect({ type, event }).toMatchObject({
        type,
        event: { actor: '1', userId: '3', details: { impersonatedBy: '1' } },
      });
    }
    const [started] = await auditOf(alice, '3', 'impersonation.started');
    expect(started.details).toMatchObject({
      reason: 'ticket #4821: cannot save a draft',
      durationMs: 15 * 60_000,
      impersonatorSessionId: alice.sessionId,
    });
  });

  it('tells the user, with the reason, and sends no new-sign-in notice for it', async () => {
    const { client } = await startImpersonation(pair.a, 3);
    const carol = await login(pair.b, 'carol');
    const inbox = await pair.b.http
      .get('/me/notifications')
      .set('Cookie', carol.cookie)
      .expect(200);
    const about = inbox.body.filter(
      (n: { payload: { sessionId?: string } }) => n.payload.sessionId === client.sessionId,
    );
    expect(about).toEqual([
      expect.objectContaining({
        type: 'impersonation_started',
        payload: expect.objectContaining({
          impersonatorId: '1',
          reason: 'ticket #4821: cannot save a draft',
        }),
      }),
    ]);
  });
});

describe('impersonation: its end', () => {
  it('ends on one instance and is seen ended on the other at once', async () => {
    const { alice, client } = await startImpersonation(pair.a);
    await pair.b.http.get('/me').set('Cookie', client.cookie).expect(200);
    const ended = await pair.a.http
      .post('/auth/impersonation/end')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    expect(ended.headers['set-cookie']).toContainEqual(expect.stringMatching(/^__Host-t=;/));
    const after = await pair.b.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(after.body.error).toBe('session_revoked');
    const [event] = (await auditOf(alice, '2', 'impersonation.ended')).filter(
      (e) => e.sessionId === client.sessionId,
    );
    expect(event).toMatchObject({ actor: '1', details: { impersonatedBy: '1' } });
  });

  it("records a sign-out in it as the admin, and its end from the user's own session as the user", async () => {
    const first = await startImpersonation(pair.a, 3);
    await pair.b.http
      .post('/auth/logout')
      .set('Cookie', first.client.cookie)
      .set('X-CSRF-Token', first.client.csrf)
      .expect(204);
    const [logout] = (await auditOf(first.alice, '3', 'logout')).filter(
      (e) => e.sessionId === first.client.sessionId,
    );
    expect(logout).toMatchObject({ actor: '1', userId: '3', details: { impersonatedBy: '1' } });

    const second = await startImpersonation(pair.a, 3);
    const carol = await login(pair.b, 'carol');
    await pair.b.http
      .delete(`/me/sessions/${second.client.sessionId}`)
      .set('Cookie', carol.cookie)
      .set('X-CSRF-Token', carol.csrf)
      .expect(204);
    await pair.a.http.get('/me').set('Cookie', second.client.cookie).expect(401);
    const [revoked] = (await auditOf(second.alice, '3', 'session.revoked')).filter(
      (e) => e.sessionId === second.client.sessionId,
    );
    expect(revoked).toMatchObject({ actor: '3', userId: '3', details: { impersonatedBy: '1' } });
  });

  it('answers 409 to ending from a session that is not an impersonation one', async () => {
    const bob = await login(pair.a, 'bob');
    await pair.a.http
      .post('/auth/impersonation/end')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .expect(409);
    await pair.a.http.get('/me').set('Cookie', bob.cookie).expect(200);
  });

  it('lives exactly the duration asked for, on both instances', async () => {
    const { client } = await startImpersonation(pair.a, 2, '10m');
    pair.a.clock.advance(9 * 60_000);
    pair.b.clock.advance(9 * 60_000);
    await pair.b.http.get('/me').set('Cookie', client.cookie).expect(200);
    pair.a.clock.advance(60_000);
    pair.b.clock.advance(60_000);
    const expired = await pair.b.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(expired.body.error).toBe('session_expired');
    await pair.a.http.get('/me').set('Cookie', client.cookie).expect(401);
  });
});

describe('impersonation: limited by policy with when.impersonated: false', () => {
  const policyFile = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.yaml');
  writeFileSync(
    policyFile,
    [
      'networks: { internal: [127.0.0.1/32, "::1/128"] }',
      'roles:',
      '  admin:',
      '    - { id: admin-all, action: manage, subject: all, when: { network: internal } }',
      '  editor:',
      '    - { id: editor-read, action: read, subject: Article }',
      '    - id: editor-own',
      '      action: update',
      '      subject: Article',
      "      conditions: { authorId: '${user.id}' }",
      '      when: { impersonated: false }',
      '',
    ].join('\n'),
  );
  let schema: Schema;
  let app: ExampleInstance;
  beforeAll(async () => {
    schema = await createSchema('impersonation_policy');
    app = await startExample(newEnvironment(schema.name, { SESSION_POLICY_FILE: policyFile }));
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  const rename = (client: { cookie: string; csrf: string }) =>
    app.http
      .patch('/articles/1')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ title: 'Edited' });

  it('refuses the rule while impersonating with reason impersonation, and allows it to the user', async () => {
    const { client } = await startImpersonation(app);
    const denied = await rename(client).expect(403);
    expect(denied.body).toMatchObject({ error: 'forbidden', reason: 'impersonation' });
    await app.http.get('/articles').set('Cookie', client.cookie).expect(200);
    await rename(await login(app, 'bob')).expect(200);
  });
});

describe('impersonation under a session limit of one', () => {
  let schema: Schema;
  let app: ExampleInstance;
  beforeAll(async () => {
    schema = await createSchema('impersonation_limit');
    app = await startExample(newEnvironment(schema.name, { SESSION_MAX_PER_USER: '1' }));
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it("takes none of the user's places: its start ends no session of theirs, and their sign-ins do not end it", async () => {
    const bob = await login(app, 'bob');
    const { client } = await startImpersonation(app);
    await app.http.get('/me').set('Cookie', bob.cookie).expect(200);
    const again = await login(app, 'bob');
    const ended = await app.http.get('/me').set('Cookie', bob.cookie).expect(401);
    expect(ended.body).toMatchObject({ error: 'session_revoked', reason: 'session_limit' });
    await app.http.get('/me').set('Cookie', again.cookie).expect(200);
    const held = await app.http.get('/me').set('Cookie', client.cookie).expect(200);
    expect(held.body.session.kind).toBe('impersonation');
  });
});
