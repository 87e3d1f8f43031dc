import { exampleSuite, login, type Client } from './support/example-app.js';

const suite = exampleSuite('permission_review', { POLICY_DECISION_LOG: 'all' });

describe('the permission review in the example app', () => {
  let alice: Client;
  let bob: Client;
  let carol: Client;

  beforeAll(async () => {
    alice = await login(suite.app, 'alice');
    bob = await login(suite.app, 'bob');
    carol = await login(suite.app, 'carol');
    // bob uses editor-own, alice admin-all; nobody uses viewer-read or editor-reports.
    await suite.app.http
      .patch('/articles/1')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .send({ title: 'reviewed' })
      .expect(200);
    await suite.app.http
      .put('/admin/users/3/roles')
      .set('Cookie', alice.cookie)
      .set('X-CSRF-Token', alice.csrf)
      .send({ roles: ['viewer'] })
      .expect(200);
    suite.app.clock.advance('10s');
  });

  const review = (client: Client, query = '', path = '/admin/policy/review') =>
    suite.app.http.get(`${path}${query}`).set('Cookie', client.cookie);

  it('lists per role what it may do, with when in words, and the grants never used', async () => {
    const response = await review(alice, '?unusedDays=1&adminFreshHours=0.001').expect(200);
    const report = response.body;
    expect(report.roles).toContainEqual({
      role: 'editor',
      ruleId: 'editor-reports',
      effect: 'allow',
      actions: ['read'],
      subjects: ['Report'],
      conditions: null,
      when: 'Mon-Fri 08:00-20:00 in Europe/Berlin',
      inWords: 'allows read on Report, only when Mon-Fri 08:00-20:00 in Europe/Berlin',
    });
    expect(report.roles).toContainEqual(
      expect.objectContaining({ ruleId: 'editor-own', conditions: '{"authorId":"${user.id}"}' }),
    );
    const unused = report.unusedGrants.map((g: { ruleId: string }) => g.ruleId).sort();
    expect(unused).toEqual(['editor-read', 'editor-reports', 'viewer-read']);
    expect(report.unusedGrants).toContainEqual({
      role: 'viewer',
      ruleId: 'viewer-read',
      inWords: 'allows read on Article',
      lastUsedAt: null,
    });
  });

  it('lists role changes, sessions from before them, and admins without a recent sign-in', async () => {
    const { body: report } = await review(alice, '?adminFreshHours=0.001').expect(200);
    expect(report.roleChanges).toEqual([
      expect.objectContaining({ userId: '3', reason: 'roles_changed', actor: '1' }),
    ]);
    expect(report.sessionsFromBeforeChange).toEqual([
      expect.objectContaining({ sessionId: carol.sessionId, userId: '3', roles: ['viewer'] }),
    ]);
    expect(report.adminsWithoutFreshAuth).toEqual([
      expect.objectContaining({ sessionId: alice.sessionId, userId: '1', roles: ['admin'] }),
    ]);
    expect(report.users).toEqual(
      expect.arrayContaining([{ userId: '2', roles: ['editor'], liveSessions: 1 }]),
    );
    const fresh = await review(alice).expect(200);
    expect(fresh.body.adminsWithoutFreshAuth).toEqual([]);
  });

  it('answers CSV too, and audits every review', async () => {
    const csv = await review(alice, '?unusedDays=1', '/admin/policy/review/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'section,role,rule,user,session,effect,actions,subjects,conditions,when,at,detail',
    );
    expect(lines).toContain('unused_grant,viewer,viewer-read,,,,,,,,never,allows read on Article');
    expect(lines).toContain(
      'role_rule,editor,editor-own,,,allow,update,Article,"{""authorId"":""${user.id}""}",,,"allows update on Article where {""authorId"":""${user.id}""}"',
    );
    const audit = await suite.app.http
      .get('/admin/audit?type=policy.reviewed')
      .set('Cookie', alice.cookie)
      .expect(200);
    expect(audit.body.map((e: { details: { format: string } }) => e.details.format)).toEqual([
      'csv',
      'json',
      'json',
      'json',
    ]);
    expect(audit.body[0]).toMatchObject({ actor: '1', outcome: 'success' });
  });

  it('is for admins only, and refuses unknown or bad settings with 400', async () => {
    await review(bob).expect(403);
    const unknown = await review(alice, '?days=3').expect(400);
    expect(unknown.body.message).toContain('days: unknown parameter');
    const bad = await review(alice, '?unusedDays=-1').expect(400);
    expect(bad.body).toMatchObject({ error: 'invalid_request' });
    expect(bad.body.message).toContain('unusedDays');
  });
});
