import fc from 'fast-check';
import { Client, exampleSuite, login } from './support/example-app.js';

describe('CSRF, login throttling and bad input', () => {
  const suite = exampleSuite('csrf', { LOGIN_MAX_ATTEMPTS: '3' });
  let bob: Client;
  let alice: Client;

  beforeAll(async () => {
    bob = await login(suite.app, 'bob');
    alice = await login(suite.app, 'alice');
  });

  const logout = (client: Client) =>
    suite.app.http.post('/auth/logout').set('Cookie', client.cookie);

  it.each([
    ['no token', (r: ReturnType<typeof logout>) => r],
    ['a wrong token', (r: ReturnType<typeof logout>) => r.set('X-CSRF-Token', 'x'.repeat(43))],
    [
      'Sec-Fetch-Site: cross-site',
      (r: ReturnType<typeof logout>) =>
        r.set('X-CSRF-Token', bob.csrf).set('Sec-Fetch-Site', 'cross-site'),
    ],
    [
      'a foreign Origin',
      (r: ReturnType<typeof logout>) =>
        r.set('X-CSRF-Token', bob.csrf).set('Origin', 'https://evil.example'),
    ],
    [
      'Origin null',
      (r: ReturnType<typeof logout>) => r.set('X-CSRF-Token', bob.csrf).set('Origin', 'null'),
    ],
  ])('rejects a cookie-authenticated POST with %s', async (_, decorate) => {
    const response = await decorate(logout(bob)).expect(403);
    expect(response.body).toMatchObject({ statusCode: 403, error: 'csrf_rejected' });
    await suite.app.http.get('/me').set('Cookie', bob.cookie).expect(200);
  });

  it("rejects another session's CSRF token", async () => {
    const carol = await login(suite.app, 'carol');
    const response = await logout(bob).set('X-CSRF-Token', carol.csrf).expect(403);
    expect(response.body.error).toBe('csrf_rejected');
  });

  it('accepts the session-bound token from the same origin, and GET /auth/csrf returns it', async () => {
    const client = await login(suite.app, 'carol');
    const csrf = await suite.app.http.get('/auth/csrf').set('Cookie', client.cookie).expect(200);
    expect(csrf.body.csrfToken).toBe(client.csrf);
    await logout(client)
      .set('X-CSRF-Token', client.csrf)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(204);
  });

  it('refuses a cross-site login', async () => {
    const bySite = await suite.app.http
      .post('/auth/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ username: 'bob', password: 'bob-password' })
      .expect(403);
    expect(bySite.body.error).toBe('csrf_rejected');
    await suite.app.http
      .post('/auth/login')
      .set('Origin', 'https://evil.example')
      .send({ username: 'bob', password: 'bob-password' })
      .expect(403);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const response = await suite.app.http
      .post('/auth/login')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('username=bob&password=bob-password')
      .expect(415);
    expect(response.body).toMatchObject({ statusCode: 415, error: 'invalid_request' });
  });

  it('throttles failed logins per username and IP, with 429 even for the right password', async () => {
    for (let i = 0; i < 3; i++) {
      await suite.app.http
        .post('/auth/login')
        .send({ username: 'alice', password: 'wrong' })
        .expect(401);
    }
    const limited = await suite.app.http
      .post('/auth/login')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(429);
    expect(limited.body.error).toBe('too_many_attempts');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await suite.app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' })
      .expect(200);
  });

  it('answers malformed JSON and wrong shapes with 400, oversized headers and bodies with 4xx', async () => {
    const malformed = await suite.app.http
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":')
      .expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });
    await suite.app.http
      .post('/auth/login')
      .send({ username: ['bob'], password: 1 })
      .expect(400);
    await suite.app.http
      .post('/auth/login')
      .send({ username: 'bob', password: 'x'.repeat(20_000) })
      .expect(413);
    const huge = await suite.app.http.get('/me').set('Cookie', `__Host-t=${'a'.repeat(9_000)}`);
    expect(huge.status).toBe(401);
    const enormous = await suite.app.http
      .get('/me')
      .set('Cookie', `x=${'a'.repeat(20_000)}`)
      .ok(() => true);
    expect(enormous.status).toBe(431);
  });

  it('answers 400 to a control character in the admin audit filters', async () => {
    for (const query of ['userId=%01', 'type=a%1Bb', 'userId=a%0Ab']) {
      const response = await suite.app.http
        .get(`/admin/audit?${query}`)
        .set('Cookie', alice.cookie)
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });
    }
  });

  it('answers 400 to a NUL character in a path, a query or a JSON body, before any database', async () => {
    const send = (method: 'post' | 'patch', path: string, body: object = {}) =>
      suite.app.http[method](path)
        .set('Cookie', alice.cookie)
        .set('X-CSRF-Token', alice.csrf)
        .send(body);
    for (const request of [
      suite.app.http.post('/auth/login').send({ username: 'bob\u0000', password: 'x' }),
      send('patch', '/articles/1', { title: 'a\u0000b' }),
      send('patch', '/articles/1', { ['ti\u0000tle']: 'x' }),
      send('post', '/me/notifications/%00/read'),
      suite.app.http.get('/me/notifications?type=a%00').set('Cookie', alice.cookie),
    ]) {
      const response = await request.expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'invalid_request',
        message: 'NUL characters are not allowed',
      });
    }
  });

  it('never answers 5xx to arbitrary cookies, headers or bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ maxLength: 200 })
          .filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
        fc.oneof(fc.json(), fc.string({ maxLength: 100 })),
        fc.constantFrom('/me', '/auth/login', '/auth/logout', '/me/sessions', '/articles'),
        async (cookie, body, path) => {
          const response = await suite.app.http
            .post(path)
            .set('Cookie', `__Host-t=${cookie}; ${cookie}`)
            .set('Content-Type', 'application/json')
            .send(body)
            .ok(() => true);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(typeof response.body.error).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
  });
});
