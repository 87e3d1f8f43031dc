import { createSchema, query } from './support/database.js';
import {
  type Client,
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';

/** Signs in with a given user agent (a device of the user's, or someone else's). */
async function loginFrom(instance: ExampleInstance, username: string, userAgent: string) {
  const response = await instance.http
    .post('/auth/login')
    .set('User-Agent', userAgent)
    .send({ username, password: `${username}-password` })
    .expect(200);
  const cookie = (response.headers['set-cookie'] as unknown as string[]).find((c) =>
    c.startsWith('__Host-t='),
  )!;
  return {
    cookie: cookie.split(';')[0],
    csrf: response.body.csrfToken as string,
    sessionId: response.body.session.id as string,
  };
}

describe('"this wasn\'t me": POST /me/sessions/:id/report, two instances', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('reports');
    const environment = newEnvironment(schema.name);
    a = await startExample(environment);
    b = await startExample(environment);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const report = (
    instance: ExampleInstance,
    from: Client | { cookie: string; csrf: string },
    id: string,
  ) =>
    instance.http
      .post(`/me/sessions/${id}/report`)
      .set('Cookie', from.cookie)
      .set('X-CSRF-Token', from.csrf);

  it('ends the reported session on every instance and keeps the reporter signed in', async () => {
    const mine = await loginFrom(a, 'bob', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0');
    const stranger = await loginFrom(b, 'bob', 'curl/8.5.0');
    const me = await a.http.get('/me').set('Cookie', stranger.cookie).expect(200);
    expect(me.body.sessionLimit).toBeNull(); // no SESSION_MAX_PER_USER here

    await report(a, mine, stranger.sessionId).expect(204);
    for (const instance of [a, b]) {
      const denied = await instance.http.get('/me').set('Cookie', stranger.cookie).expect(401);
      expect(denied.body.error).toBe('session_revoked');
      await instance.http.get('/me').set('Cookie', mine.cookie).expect(200);
    }
    const listed = await b.http.get('/me/sessions').set('Cookie', mine.cookie).expect(200);
    expect(listed.body.map((s: { id: string }) => s.id)).not.toContain(stranger.sessionId);
  });

  it('records session.reported in the audit trail, with where the reported session came from', async () => {
    const mine = await loginFrom(a, 'carol', 'Mozilla/5.0 (Macintosh) Safari/17.0');
    const stranger = await loginFrom(b, 'carol', 'python-requests/2.31');
    await report(b, mine, stranger.sessionId).expect(204);

    const alice = await login(a, 'alice');
    const audit = await a.http
      .get('/admin/audit?type=session.reported&userId=3')
      .set('Cookie', alice.cookie)
      .expect(200);
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({
      type: 'session.reported',
      userId: '3',
      actor: '3',
      sessionId: stranger.sessionId,
      outcome: 'success',
      details: {
        reporterSessionId: mine.sessionId,
        reportedFrom: { userAgent: 'python-requests/2.31' },
        endedSessions: 1,
      },
    });
  });

  it('needs no fresh authentication, unlike ending a session', async () => {
    const mine = await loginFrom(a, 'bob', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0');
    const stranger = await loginFrom(a, 'bob', 'curl/8.5.0');
    a.clock.advance('10m');
    b.clock.advance('10m');
    const stale = await a.http
      .delete(`/me/sessions/${stranger.sessionId}`)
      .set('Cookie', mine.cookie)
      .set('X-CSRF-Token', mine.csrf)
      .expect(401);
    expect(stale.body.error).toBe('reauth_required');
    await report(a, mine, stranger.sessionId).expect(204);
    await b.http.get('/me').set('Cookie', stranger.cookie).expect(401);
  });

  it("answers 404 for another user's session, an unknown id or one already ended, and ends nothing", async () => {
    const bob = await loginFrom(a, 'bob', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0');
    const carol = await loginFrom(b, 'carol', 'Mozilla/5.0 (Macintosh) Safari/17.0');
    const notFound = await report(a, bob, carol.sessionId).expect(404);
    expect(notFound.body.error).toBe('not_found');
    await report(a, bob, '00000000-0000-4000-8000-000000000000').expect(404);
    await report(a, bob, 'not-a-session-id').expect(404);
    await b.http.get('/me').set('Cookie', carol.cookie).expect(200);

    const gone = await loginFrom(b, 'bob', 'curl/8.5.0');
    await report(a, bob, gone.sessionId).expect(204);
    await report(a, bob, gone.sessionId).expect(404);
  });

  it("with endOtherSessions: true also ends every other session but the reporter's", async () => {
    const mine = await loginFrom(a, 'alice', 'Mozilla/5.0 (Windows NT 10.0) Edge/120.0');
    const stranger = await loginFrom(b, 'alice', 'curl/8.5.0');
    const other = await loginFrom(b, 'alice', 'Mozilla/5.0 (iPhone) Safari/17.0');
    await report(a, mine, stranger.sessionId).send({ endOtherSessions: true }).expect(204);
    await b.http.get('/me').set('Cookie', stranger.cookie).expect(401);
    await b.http.get('/me').set('Cookie', other.cookie).expect(401);
    await b.http.get('/me').set('Cookie', mine.cookie).expect(200);
    const unrevoked = await query<{ id: string }>(
      `SELECT "id" FROM "${schema.name}"."ss_session" WHERE "userId" = '1' AND "revokedAt" IS NULL`,
    );
    expect(unrevoked).toEqual([{ id: mine.sessionId }]);
  });

  it('refuses a body that is not {endOtherSessions: boolean} with 400', async () => {
    const mine = await loginFrom(a, 'bob', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0');
    const stranger = await loginFrom(a, 'bob', 'curl/8.5.0');
    const bad = await report(a, mine, stranger.sessionId).send({ endOthers: true }).expect(400);
    expect(bad.body.error).toBe('invalid_request');
    await a.http.get('/me').set('Cookie', stranger.cookie).expect(200);
  });

  it('puts the report action on the new-sign-in notification, which the user can act on', async () => {
    const mine = await loginFrom(a, 'bob', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0');
    const stranger = await loginFrom(b, 'bob', 'Wget/1.21.4');
    const inbox = await a.http.get('/me/notifications').set('Cookie', mine.cookie).expect(200);
    const notice = inbox.body.find(
      (n: { type: string; payload: { sessionId?: string } }) =>
        n.type === 'new_sign_in' && n.payload.sessionId === stranger.sessionId,
    );
    expect(notice.payload.actions).toEqual([
      { action: 'report_session', sessionId: stranger.sessionId },
    ]);
    await report(a, mine, notice.payload.actions[0].sessionId).expect(204);
    await b.http.get('/me').set('Cookie', stranger.cookie).expect(401);
  });
});
