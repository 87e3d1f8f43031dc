import { createHash } from 'node:crypto';
import { SessionService } from '../src/index.js';
import { query } from './support/database.js';
import { exampleSuite, login, tokenFrom } from './support/example-app.js';

describe('sessions (example app on PostgreSQL + Redis)', () => {
  const suite = exampleSuite('sessions', {
    SESSION_IDLE_TIMEOUT: '30m',
    SESSION_ABSOLUTE_TIMEOUT: '2h',
  });

  it('sets the session cookie with __Host- prefix, HttpOnly, Secure, SameSite, Path=/ and no Domain', async () => {
    const response = await suite.app.http
      .post('/auth/login')
      .send({ username: 'bob', password: 'bob-password' })
      .expect(200);
    const cookie = (response.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('__Host-'),
    )!;
    expect(cookie).toMatch(/^__Host-t=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(2 * 3600);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({ user: { id: 2, username: 'bob', roles: ['editor'] } });
  });

  it('answers unknown users and wrong passwords alike', async () => {
    const unknown = await suite.app.http
      .post('/auth/login')
      .send({ username: 'mallory', password: 'x' })
      .expect(401);
    const wrong = await suite.app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'x' })
      .expect(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error).toBe('invalid_credentials');
  });

  it('issues 256-bit tokens: 1,000 sessions, no repeats, no bit that never changes', async () => {
    const sessions = suite.app.app.get(SessionService);
    const tokens = new Set<string>();
    let ones = Buffer.alloc(32);
    let zeros = Buffer.alloc(32);
    for (let i = 0; i < 1000; i++) {
      const { token } = await sessions.create({ id: '3', roles: ['viewer'] });
      tokens.add(token);
      const bytes = Buffer.from(token, 'base64url');
      expect(bytes.length).toBe(32);
      ones = Buffer.from(ones.map((b, j) => b | bytes[j]));
      zeros = Buffer.from(zeros.map((b, j) => b | (~bytes[j] & 0xff)));
    }
    expect(tokens.size).toBe(1000);
    expect([...ones].every((b) => b === 0xff)).toBe(true);
    expect([...zeros].every((b) => b === 0xff)).toBe(true);
  });

  it('stores only the SHA-256 of the token', async () => {
    const client = await login(suite.app, 'bob');
    const rows = await query(`SELECT * FROM "${suite.schema}".ss_session WHERE id = $1`, [
      client.sessionId,
    ]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(client.token);
    expect(rows[0].tokenHash).toBe(createHash('sha256').update(client.token).digest('hex'));
    const all = await query(
      `SELECT count(*)::int AS n FROM "${suite.schema}".ss_session WHERE "tokenHash" = $1 OR data LIKE $2`,
      [client.token, `%${client.token}%`],
    );
    expect(all[0].n).toBe(0);
  });

  it('never adopts a planted token and ends a session presented at login', async () => {
    const planted = 'A'.repeat(43);
    const response = await suite.app.http
      .post('/auth/login')
      .set('Cookie', `__Host-t=${planted}`)
      .send({ username: 'bob', password: 'bob-password' })
      .expect(200);
    expect(tokenFrom(response.headers['set-cookie'])).not.toBe(planted);
    await suite.app.http.get('/me').set('Cookie', `__Host-t=${planted}`).expect(401);

    const old = await login(suite.app, 'bob');
    const again = await suite.app.http
      .post('/auth/login')
      .set('Cookie', old.cookie)
      .send({ username: 'bob', password: 'bob-password' })
      .expect(200);
    expect(tokenFrom(again.headers['set-cookie'])).not.toBe(old.token);
    const denied = await suite.app.http.get('/me').set('Cookie', old.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');
  });

  it('logout kills the token, clears the cookie and site data', async () => {
    const client = await login(suite.app, 'carol');
    await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
    const response = await suite.app.http
      .post('/auth/logout')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    expect(response.headers['set-cookie']![0]).toMatch(
      /^__Host-t=; Max-Age=0; Path=\/; HttpOnly; Secure/,
    );
    expect(response.headers['clear-site-data']).toContain('"cookies"');
    const denied = await suite.app.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(denied.body).toMatchObject({ statusCode: 401, error: 'session_revoked' });
  });

  it('enforces the idle timeout server-side', async () => {
    const client = await login(suite.app, 'carol');
    suite.app.clock.advance('29m');
    await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
    suite.app.clock.advance('31m');
    const denied = await suite.app.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(denied.body.error).toBe('session_expired');
  });

  it('slides the idle expiry with use but enforces the absolute timeout', async () => {
    const client = await login(suite.app, 'carol');
    for (let elapsed = 0; elapsed < 100; elapsed += 20) {
      suite.app.clock.advance('20m');
      await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    suite.app.clock.advance('21m');
    const denied = await suite.app.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(denied.body.error).toBe('session_expired');
  });

  it('writes the sliding idle expiry at most once per touch interval, not on every request', async () => {
    const client = await login(suite.app, 'carol');
    const lastSeen = async () =>
      Number(
        (
          await query(`SELECT "lastSeenAt" FROM "${suite.schema}".ss_session WHERE id = $1`, [
            client.sessionId,
          ])
        )[0].lastSeenAt,
      );
    const createdSeen = await lastSeen();
    for (let i = 0; i < 5; i++)
      await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await lastSeen()).toBe(createdSeen);
    suite.app.clock.advance('61s');
    await suite.app.http.get('/me').set('Cookie', client.cookie).expect(200);
    let touched = createdSeen;
    for (let i = 0; i < 20 && touched === createdSeen; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      touched = await lastSeen();
    }
    expect(touched).toBeGreaterThanOrEqual(createdSeen + 61_000);
  });

  it('ignores a token in the URL or in an Authorization header', async () => {
    const client = await login(suite.app, 'carol');
    const inQuery = await suite.app.http
      .get(`/me?token=${client.token}&__Host-t=${client.token}`)
      .expect(401);
    expect(inQuery.body.error).toBe('session_required');
    await suite.app.http.get('/me').set('Authorization', `Bearer ${client.token}`).expect(401);
  });

  it('denies by default and lets public routes through', async () => {
    const denied = await suite.app.http.get('/articles').expect(401);
    expect(denied.body).toEqual({
      statusCode: 401,
      error: 'session_required',
      message: expect.any(String),
    });
    await suite.app.http.get('/health').expect(200);
    const client = await login(suite.app, 'carol');
    const articles = await suite.app.http.get('/articles').set('Cookie', client.cookie).expect(200);
    expect(articles.body).toHaveLength(3);
    expect(articles.headers['cache-control']).toBe('no-store');
  });

  it("lists and ends own sessions, and hides other users' sessions", async () => {
    const first = await login(suite.app, 'bob');
    const second = await login(suite.app, 'bob');
    const carol = await login(suite.app, 'carol');
    const list = await suite.app.http.get('/me/sessions').set('Cookie', first.cookie).expect(200);
    const ids = list.body.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([first.sessionId, second.sessionId]));
    expect(ids).not.toContain(carol.sessionId);
    expect(list.body.find((s: { id: string }) => s.id === first.sessionId).current).toBe(true);

    await suite.app.http
      .delete(`/me/sessions/${carol.sessionId}`)
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', first.csrf)
      .expect(404);
    await suite.app.http.get('/me').set('Cookie', carol.cookie).expect(200);
    await suite.app.http
      .delete(`/me/sessions/${second.sessionId}`)
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', first.csrf)
      .expect(204);
    await suite.app.http.get('/me').set('Cookie', second.cookie).expect(401);

    const third = await login(suite.app, 'bob');
    await suite.app.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', first.csrf)
      .expect(204);
    await suite.app.http.get('/me').set('Cookie', third.cookie).expect(401);
    await suite.app.http.get('/me').set('Cookie', first.cookie).expect(200);
  });
});
