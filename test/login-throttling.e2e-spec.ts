import { randomBytes } from 'node:crypto';
import { createSchema, query } from './support/database.js';
import { startLoginApp, type LoginApp } from './support/login-app.js';

const USERS = {
  ann: 'ann-password',
  ben: 'ben-password',
  cid: 'cid-password',
  dot: 'dot-password',
};

describe('login throttling through SessionLogin, on by default, in an app of its own', () => {
  let schema: { name: string; drop(): Promise<void> };
  let app: LoginApp;

  beforeAll(async () => {
    schema = await createSchema('login_throttling');
    app = await startLoginApp(schema.name, `t:throttle:${randomBytes(4).toString('hex')}:`, USERS, {
      throttle: { maxAttemptsPerIp: 8 },
    });
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  /** Each test signs in from an address of its own (the app trusts the loopback proxy). */
  const from = (ip: string) => ({
    login: (username: string, password: string) =>
      app.http.post('/auth/login').set('x-forwarded-for', ip).send({ username, password }),
  });

  it('signs in a user with a numeric id: cookie, CSRF token, the id as a string in the session', async () => {
    const res = await from('198.51.100.1').login('ann', 'ann-password').expect(200);
    expect(res.body.userId).toEqual(expect.any(Number));
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    expect(cookie).toMatch(/^__Host-/);
    const profile = await app.http.get('/profile').set('cookie', cookie).expect(200);
    expect(profile.body).toEqual({ userId: String(res.body.userId) });
  });

  it('answers the 6th attempt after 5 wrong passwords with 429, Retry-After and the JSON shape, even with the right password', async () => {
    const client = from('198.51.100.2');
    for (let i = 0; i < 5; i++) {
      const res = await client.login('ben', 'wrong').expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'invalid_credentials' });
    }
    const locked = await client.login('ben', 'ben-password').expect(429);
    expect(locked.body).toEqual({
      statusCode: 429,
      error: 'too_many_attempts',
      message: expect.any(String),
      retryAfter: expect.any(Number),
    });
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(locked.headers['set-cookie']).toBeUndefined();
    // Another address is not locked out with it.
    await from('198.51.100.3').login('ben', 'ben-password').expect(200);
  });

  it('counts wrong re-authentication passwords toward the same limit as sign-in', async () => {
    const client = from('198.51.100.4');
    const signedIn = await client.login('cid', 'cid-password').expect(200);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
    const reauth = (password: string) =>
      app.http
        .post('/auth/reauth')
        .set('x-forwarded-for', '198.51.100.4')
        .set('cookie', cookie)
        .set('x-csrf-token', signedIn.body.csrfToken)
        .send({ password });
    for (let i = 0; i < 3; i++) {
      const res = await reauth('wrong').expect(401);
      expect(res.body.error).toBe('invalid_credentials');
    }
    await client.login('cid', 'wrong').expect(401);
    await client.login('cid', 'wrong').expect(401);
    const locked = await reauth('cid-password').expect(429);
    expect(locked.body.error).toBe('too_many_attempts');
    await client.login('cid', 'cid-password').expect(429);
  });

  it('limits one address across usernames (maxAttemptsPerIp), unknown usernames included', async () => {
    const client = from('198.51.100.5');
    for (let i = 0; i < 8; i++) await client.login(`nobody-${i}`, 'guess').expect(401);
    const locked = await client.login('dot', 'dot-password').expect(429);
    expect(locked.body.error).toBe('too_many_attempts');
    await from('198.51.100.6').login('dot', 'dot-password').expect(200);
  });

  it('forgets a username + address after a good password', async () => {
    const client = from('198.51.100.7');
    for (let i = 0; i < 4; i++) await client.login('ann', 'wrong').expect(401);
    await client.login('ann', 'ann-password').expect(200);
    for (let i = 0; i < 3; i++) await client.login('ann', 'wrong').expect(401);
    await client.login('ann', 'ann-password').expect(200);
  });

  it('refuses a body without username and password with 400, counting nothing', async () => {
    const res = await app.http.post('/auth/login').send({ username: 'ann' }).expect(400);
    expect(res.body.error).toBe('invalid_request');
  });
});

describe('login throttling turned off with throttle: { enabled: false }', () => {
  let schema: { name: string; drop(): Promise<void> };
  let app: LoginApp;

  beforeAll(async () => {
    schema = await createSchema('login_throttling_off');
    app = await startLoginApp(
      schema.name,
      `t:throttle-off:${randomBytes(4).toString('hex')}:`,
      USERS,
      {
        throttle: { enabled: false },
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('never answers 429 and writes no lockout, for sign-in and re-authentication', async () => {
    for (let i = 0; i < 12; i++) {
      await app.http.post('/auth/login').send({ username: 'ben', password: 'wrong' }).expect(401);
    }
    const signedIn = await app.http
      .post('/auth/login')
      .send({ username: 'ben', password: 'ben-password' })
      .expect(200);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
    for (let i = 0; i < 6; i++) {
      await app.http
        .post('/auth/reauth')
        .set('cookie', cookie)
        .set('x-csrf-token', signedIn.body.csrfToken)
        .send({ password: 'wrong' })
        .expect(401);
    }
    await app.http
      .post('/auth/reauth')
      .set('cookie', cookie)
      .set('x-csrf-token', signedIn.body.csrfToken)
      .send({ password: 'ben-password' })
      .expect(200);
    expect(await query(`SELECT * FROM "${schema.name}".ss_login_lockout`)).toEqual([]);
  });
});
