import { exampleSuite, login, type Client } from './support/example-app.js';

// Behind a trusted proxy (the test's own address), so a test can be "outside" the internal
// network with X-Forwarded-For.
const suite = exampleSuite('what_if', { TRUST_PROXY: '127.0.0.1/32,::1/128' });

describe('POST /admin/policy/what-if in the example app', () => {
  let alice: Client;
  let bob: Client;
  beforeAll(async () => {
    alice = await login(suite.app, 'alice');
    bob = await login(suite.app, 'bob');
  });

  const ask = (client: Client, body: unknown, from = '10.9.8.7') =>
    suite.app.http
      .post('/admin/policy/what-if')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .set('X-Forwarded-For', from)
      .send(body as object);

  it("answers with the full trace of a user's current roles, naming the failed when", async () => {
    const response = await ask(alice, {
      as: { userId: 2 },
      action: 'read',
      subject: 'Report',
      at: '2026-03-28T23:10',
      tz: 'Europe/Berlin',
      ip: '10.0.0.7',
    }).expect(200);
    expect(response.headers['cache-control']).toContain('no-store');
    expect(response.body).toMatchObject({
      allowed: false,
      reason: 'outside_allowed_hours',
      action: 'read',
      subjectType: 'Report',
      decidingRule: null,
      failedWhen: [{ ruleId: 'editor-reports', reason: 'outside_allowed_hours' }],
    });
    expect(response.body.rules).toEqual([
      expect.objectContaining({ id: 'editor-read', outcome: 'not_relevant' }),
      expect.objectContaining({ id: 'editor-own', outcome: 'not_relevant' }),
      {
        id: 'editor-reports',
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
      },
    ]);
  });

  it('asks about given roles and an instance', async () => {
    const own = await ask(alice, {
      as: { id: '2', roles: ['editor'] },
      action: 'update',
      subject: 'Article',
      resource: { authorId: '2' },
    }).expect(200);
    expect(own.body).toMatchObject({ allowed: true, decidingRule: { id: 'editor-own' } });
    const foreign = await ask(alice, {
      as: { id: '2', roles: ['editor'] },
      action: 'update',
      subject: 'Article',
      resource: { authorId: '1' },
    }).expect(200);
    expect(foreign.body.allowed).toBe(false);
    expect(foreign.body.rules).toContainEqual(
      expect.objectContaining({
        id: 'editor-own',
        conditions: 'not_matched',
        outcome: 'conditions_not_met',
      }),
    );
  });

  it('answers bad questions with 400 invalid_request naming the field, an unknown user with 404', async () => {
    const bad = await ask(alice, {
      as: { roles: ['editor'] },
      action: 'read',
      subject: 'Report',
      tz: 'Europe/Berlim',
    }).expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });
    expect(bad.body.message).toContain("tz: unknown time zone 'Europe/Berlim'");
    const missing = await ask(alice, { as: { roles: ['editor'] }, subject: 'Report' }).expect(400);
    expect(missing.body.message).toContain('action:');
    await ask(alice, [1, 2]).expect(400);
    const mixed = await ask(alice, {
      as: { userId: 2, roles: ['admin'] },
      action: 'read',
      subject: 'Report',
    });
    expect(mixed.status).toBe(400);
    const nobody = await ask(alice, { as: { userId: 999 }, action: 'read', subject: 'Report' });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error).toBe('not_found');
  });

  it('is for admins on the internal network only, and needs the CSRF token', async () => {
    const question = { as: { roles: ['viewer'] }, action: 'read', subject: 'Article' };
    const editor = await ask(bob, question).expect(403);
    expect(editor.body.error).toBe('forbidden');
    const outside = await ask(alice, question, '203.0.113.7').expect(403);
    expect(outside.body).toMatchObject({ error: 'forbidden', reason: 'network_not_allowed' });
    const forged = await suite.app.http
      .post('/admin/policy/what-if')
      .set('Cookie', alice.cookie)
      .set('X-Forwarded-For', '10.9.8.7')
      .send(question)
      .expect(403);
    expect(forged.body.error).toBe('csrf_rejected');
    await suite.app.http.post('/admin/policy/what-if').send(question).expect(401);
  });
});
