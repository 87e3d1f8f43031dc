import { exampleSuite, login, tokenFrom } from './support/example-app.js';

describe('fresh authentication and re-authentication', () => {
  const suite = exampleSuite('fresh', { FRESH_AUTH_MAX_AGE: '5m', LOGIN_MAX_ATTEMPTS: '4' });

  const changePassword = (cookie: string, csrf: string, body: object) =>
    suite.app.http.post('/me/password').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(body);

  it('lets a fresh session through and asks a stale one to re-authenticate', async () => {
    const client = await login(suite.app, 'carol');
    await suite.app.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    suite.app.clock.advance('6m');
    const stale = await suite.app.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(401);
    expect(stale.body).toMatchObject({ error: 'reauth_required', reason: 'stale_authentication' });
    expect(stale.headers['www-authenticate']).toMatch(/reauth_required/);
    expect(stale.headers['www-authenticate']).toMatch(/stale_authentication/);
  });

  it('re-authenticates: wrong password is 401 and counted, right one rotates the token, retry succeeds', async () => {
    const client = await login(suite.app, 'bob');
    suite.app.clock.advance('10m');
    await changePassword(client.cookie, client.csrf, {
      currentPassword: 'bob-password',
      newPassword: 'a-new-long-password',
    }).expect(401);

    const wrong = await suite.app.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ password: 'nope' })
      .expect(401);
    expect(wrong.body.error).toBe('invalid_credentials');

    const before = await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
    const reauth = await suite.app.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ password: 'bob-password' })
      .expect(200);
    const token = tokenFrom(reauth.headers['set-cookie']);
    expect(token).not.toBe(client.token);
    expect(reauth.body.csrfToken).not.toBe(client.csrf);
    expect(reauth.body.session.id).toBe(client.sessionId);
    expect(Date.parse(reauth.body.session.authenticatedAt)).toBeGreaterThan(
      Date.parse(before.body.session.authenticatedAt),
    );
    await suite.app.http.get('/me').set('Cookie', client.cookie).expect(401);

    const cookie = `__Host-t=${token}`;
    await changePassword(cookie, reauth.body.csrfToken, {
      currentPassword: 'bob-password',
      newPassword: 'a-new-long-password',
    }).expect(204);
    await changePassword(cookie, reauth.body.csrfToken, {
      currentPassword: 'x',
      newPassword: 'y',
    }).expect(401);
  });

  it('counts wrong re-authentication passwords toward the sign-in attempt limit', async () => {
    const client = await login(suite.app, 'alice');
    for (let i = 0; i < 4; i++) {
      await suite.app.http
        .post('/auth/reauth')
        .set('Cookie', client.cookie)
        .set('X-CSRF-Token', client.csrf)
        .send({ password: 'wrong' })
        .expect(401);
    }
    const limited = await suite.app.http
      .post('/auth/login')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(429);
    expect(limited.body.error).toBe('too_many_attempts');
  });

  it('ends the other sessions on a password change, and keeps them when asked', async () => {
    const main = await login(suite.app, 'carol');
    const other = await login(suite.app, 'carol');
    const response = await changePassword(main.cookie, main.csrf, {
      currentPassword: 'carol-password',
      newPassword: 'carol-new-password',
      endOtherSessions: false,
    }).expect(204);
    const rotated = `__Host-t=${tokenFrom(response.headers['set-cookie'])}`;
    await suite.app.http.get('/me').set('Cookie', main.cookie).expect(401);
    await suite.app.http.get('/me').set('Cookie', rotated).expect(200);
    await suite.app.http.get('/me').set('Cookie', other.cookie).expect(200);

    const csrf = response.headers['x-csrf-token'] as string;
    const second = await changePassword(rotated, csrf, {
      currentPassword: 'carol-new-password',
      newPassword: 'carol-third-password',
    }).expect(204);
    const denied = await suite.app.http.get('/me').set('Cookie', other.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');

    const current = `__Host-t=${tokenFrom(second.headers['set-cookie'])}`;
    const inbox = await suite.app.http.get('/me/notifications').set('Cookie', current).expect(200);
    const changed = inbox.body.filter((n: { type: string }) => n.type === 'password_changed');
    expect(changed).toHaveLength(2);
    expect(changed[0]).toMatchObject({ readAt: null, payload: { sessionId: main.sessionId } });
  });
});
