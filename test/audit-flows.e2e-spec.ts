import { AuditService } from '../src/index.js';
import { query } from './support/database.js';
import { exampleSuite, login } from './support/example-app.js';

/** Saturday 3 January 2026, 13:00 in Berlin: outside the editors' reports window. */
const SATURDAY_NOON = Date.UTC(2026, 0, 3, 12);

describe('the audit log records the real session flows', () => {
  const suite = exampleSuite('auditflows', { LOGIN_MAX_ATTEMPTS: '2' });

  it('records sign-in, failures, throttling, CSRF rejection, re-authentication, rotation and logout in a valid chain', async () => {
    const client = await login(suite.app, 'bob');
    await suite.app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'wrong' })
      .expect(401);
    await suite.app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'wrong' })
      .expect(401);
    await suite.app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' })
      .expect(429);
    await suite.app.http.post('/auth/logout').set('Cookie', client.cookie).expect(403);
    const reauth = await suite.app.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ password: 'bob-password' })
      .expect(200);
    const cookie = (reauth.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    await suite.app.http
      .post('/auth/logout')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', reauth.body.csrfToken)
      .expect(204);
    await suite.app.http.get('/me').set('Cookie', cookie).expect(401);

    const editor = await login(suite.app, 'bob');
    await suite.app.http
      .patch('/articles/3')
      .set('Cookie', editor.cookie)
      .set('X-CSRF-Token', editor.csrf)
      .send({ title: 'x' })
      .expect(403);

    const audit = suite.app.app.get(AuditService);
    const [denial] = await audit.list({ type: 'policy.denied', limit: 1 });
    expect(denial).toMatchObject({
      userId: '2',
      outcome: 'denied',
      action: 'update',
      resource: 'Article',
    });
    expect(denial.details).toMatchObject({ policyVersion: expect.any(String) });
    const types = (await audit.tail(100)).map((e) => e.type);
    for (const type of [
      'session.created',
      'login.succeeded',
      'login.failed',
      'login.throttled',
      'csrf.rejected',
      'session.rotated',
      'session.reauthenticated',
      'logout',
      'access.denied',
      'policy.denied',
    ]) {
      expect(types).toContain(type);
    }
    expect(await audit.verify()).toMatchObject({ ok: true });

    const dump = JSON.stringify(await query(`SELECT * FROM "${suite.schema}".ss_audit_event`));
    expect(dump).not.toContain(client.token);
    expect(dump).not.toContain('bob-password');
    expect(dump).not.toContain('carol-password');
  });

  it('records a when-denial with its rules, a permission change, a revocation with reason and actor, and an expiry', async () => {
    const { app, http, clock } = suite.app;
    const audit = app.get(AuditService);
    clock.freeze(SATURDAY_NOON);

    const bob = await login(suite.app, 'bob');
    const denied = await http.get('/reports').set('Cookie', bob.cookie).expect(403);
    expect(denied.body.reason).toBe('outside_allowed_hours');
    const [denial] = await audit.list({ type: 'policy.denied', limit: 1 });
    expect(denial).toMatchObject({
      userId: '2',
      sessionId: bob.sessionId,
      action: 'read',
      resource: 'Report',
      outcome: 'denied',
    });
    expect(denial.details).toMatchObject({
      reason: 'outside_allowed_hours',
      policyVersion: expect.stringMatching(/\S/),
      failedWhen: [
        expect.objectContaining({ ruleId: 'editor-reports', reason: 'outside_allowed_hours' }),
      ],
    });

    const alice = await login(suite.app, 'alice');
    const other = await login(suite.app, 'alice');
    await http
      .put('/admin/users/3/roles')
      .set('Cookie', alice.cookie)
      .set('X-CSRF-Token', alice.csrf)
      .send({ roles: ['viewer'] })
      .expect(200);
    const [changed] = await audit.list({ type: 'permissions.changed', limit: 1 });
    expect(changed).toMatchObject({ userId: '3', actor: '1', outcome: 'success' });
    expect(changed.details).toMatchObject({ reason: 'roles_changed' });

    await http
      .delete(`/me/sessions/${other.sessionId}`)
      .set('Cookie', alice.cookie)
      .set('X-CSRF-Token', alice.csrf)
      .expect(204);
    const [revoked] = await audit.list({ type: 'session.revoked', limit: 1 });
    expect(revoked).toMatchObject({ userId: '1', sessionId: other.sessionId, actor: '1' });
    expect(revoked.details).toEqual({ reason: 'ended_by_user' });

    clock.advance('31m');
    await http.get('/me').set('Cookie', bob.cookie).expect(401);
    const [expired] = await audit.list({ type: 'session.expired', limit: 1 });
    expect(expired).toMatchObject({
      userId: '2',
      sessionId: bob.sessionId,
      details: { why: 'idle' },
    });
    await expect(audit.verify()).resolves.toMatchObject({ ok: true });
  });
});
