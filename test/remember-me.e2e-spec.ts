import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema, query } from './support/database.js';
import {
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
  tokenFrom,
} from './support/example-app.js';

type Schema = Awaited<ReturnType<typeof createSchema>>;

const pair = {} as { a: ExampleInstance; b: ExampleInstance; schema: Schema };

beforeAll(async () => {
  pair.schema = await createSchema('remember_me');
  const environment = newEnvironment(pair.schema.name);
  pair.a = await startExample(environment);
  pair.b = await startExample(environment);
});

afterAll(async () => {
  await pair.a?.close();
  await pair.b?.close();
  await pair.schema?.drop();
});

/** Moves both instances' clocks: they share one database and must agree on the time. */
function advance(ms: number): void {
  pair.a.clock.advance(ms);
  pair.b.clock.advance(ms);
}

/** Signs in with "remember me on this device" through `instance`. */
async function rememberedLogin(instance: ExampleInstance, username: string) {
  const response = await instance.http
    .post('/auth/login')
    .send({ username, password: `${username}-password`, rememberMe: true })
    .expect(200);
  const token = tokenFrom(response.headers['set-cookie']);
  return {
    response,
    token,
    cookie: `__Host-t=${token}`,
    csrf: response.body.csrfToken as string,
    sessionId: response.body.session.id as string,
  };
}

/** The new session token a response set, if any. */
function rotatedToken(setCookie: string | string[] | undefined): string | null {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.some((c) => c.startsWith('__Host-t=') && !/Max-Age=0/i.test(c))
    ? tokenFrom(all)
    : null;
}

function maxAgeOf(setCookie: string | string[] | undefined): number {
  const all = Array.isArray(setCookie) ? setCookie : [setCookie ?? ''];
  const cookie = all.find((c) => c.startsWith('__Host-t=') && !/Max-Age=0/i.test(c)) ?? '';
  return Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
}

async function auditEvents(type: string, userId: number) {
  const rows = await query<{ sessionId: string | null; ip: string | null; details: string }>(
    `SELECT "sessionId", "ip", "details" FROM "${pair.schema.name}"."ss_audit_event"
     WHERE "type" = $1 AND "userId" = $2 ORDER BY "seq"`,
    [type, String(userId)],
  );
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as unknown }));
}

describe('remember me: a separate, longer-lived session kind', () => {
  it('starts a remembered session whose cookie lives 30 days, against 12 hours for a standard one', async () => {
    const remembered = await rememberedLogin(pair.a, 'carol');
    expect(remembered.response.body.session.kind).toBe('remembered');
    expect(maxAgeOf(remembered.response.headers['set-cookie'])).toBeGreaterThan(30 * 86_400 - 5);
    expect(maxAgeOf(remembered.response.headers['set-cookie'])).toBeLessThanOrEqual(30 * 86_400);
    const standard = await pair.a.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' })
      .expect(200);
    expect(standard.body.session.kind).toBe('standard');
    expect(maxAgeOf(standard.headers['set-cookie'])).toBeLessThanOrEqual(12 * 3_600);
    expect(maxAgeOf(standard.headers['set-cookie'])).toBeGreaterThan(12 * 3_600 - 5);
  });

  it('shows kind "remembered" in GET /me and lists the kind of every session in GET /me/sessions', async () => {
    const remembered = await rememberedLogin(pair.a, 'bob');
    const standard = await login(pair.b, 'bob');
    const me = await pair.b.http.get('/me').set('Cookie', remembered.cookie).expect(200);
    expect(me.body.session).toMatchObject({ id: remembered.sessionId, kind: 'remembered' });
    const listed = await pair.a.http.get('/me/sessions').set('Cookie', standard.cookie).expect(200);
    const kinds = Object.fromEntries(
      listed.body.map((s: { id: string; kind: string }) => [s.id, s.kind]),
    );
    expect(kinds[remembered.sessionId]).toBe('remembered');
    expect(kinds[standard.sessionId]).toBe('standard');
    for (const s of listed.body) expect(['standard', 'remembered']).toContain(s.kind);
  });

  it('refuses a rememberMe that is not a boolean with 400 invalid_request', async () => {
    const response = await pair.a.http
      .post('/auth/login')
      .send({ username: 'bob', password: 'bob-password', rememberMe: 'yes' })
      .expect(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('never counts as fresh authentication: a fresh-auth route needs a real re-authentication', async () => {
    const remembered = await rememberedLogin(pair.a, 'alice');
    const denied = await pair.a.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', remembered.cookie)
      .set('X-CSRF-Token', remembered.csrf)
      .expect(401);
    expect(denied.body).toMatchObject({
      error: 'reauth_required',
      reason: 'stale_authentication',
    });

    const standard = await login(pair.a, 'alice');
    await pair.a.http
      .delete('/me/sessions/00000000-0000-4000-8000-000000000000')
      .set('Cookie', standard.cookie)
      .set('X-CSRF-Token', standard.csrf)
      .expect(404);

    const reauth = await pair.b.http
      .post('/auth/reauth')
      .set('Cookie', remembered.cookie)
      .set('X-CSRF-Token', remembered.csrf)
      .send({ password: 'alice-password' })
      .expect(200);
    const cookie = `__Host-t=${tokenFrom(reauth.headers['set-cookie'])}`;
    await pair.a.http
      .delete(`/me/sessions/${standard.sessionId}`)
      .set('Cookie', cookie)
      .set('X-CSRF-Token', reauth.body.csrfToken)
      .expect(204);
    advance(6 * 60_000);
    const stale = await pair.a.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', reauth.body.csrfToken)
      .expect(401);
    expect(stale.body.reason).toBe('stale_authentication');
  });

  it('is listed and endable like any session, on the other instance at once', async () => {
    const remembered = await rememberedLogin(pair.a, 'carol');
    const standard = await login(pair.b, 'carol');
    await pair.b.http
      .delete(`/me/sessions/${remembered.sessionId}`)
      .set('Cookie', standard.cookie)
      .set('X-CSRF-Token', standard.csrf)
      .expect(204);
    const denied = await pair.a.http.get('/me').set('Cookie', remembered.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');
  });
});

describe('remember me: the token rotates on use, and a replay ends the session', () => {
  it('rotates the token on the first request after a minute; the CSRF token stays valid', async () => {
    const remembered = await rememberedLogin(pair.a, 'bob');
    const early = await pair.a.http.get('/me').set('Cookie', remembered.cookie).expect(200);
    expect(rotatedToken(early.headers['set-cookie'])).toBeNull();

    advance(61_000);
    const used = await pair.b.http.get('/me').set('Cookie', remembered.cookie).expect(200);
    const next = rotatedToken(used.headers['set-cookie']);
    expect(next).not.toBeNull();
    expect(next).not.toBe(remembered.token);
    expect(maxAgeOf(used.headers['set-cookie'])).toBeGreaterThan(29 * 86_400);
    const me = await pair.a.http.get('/me').set('Cookie', `__Host-t=${next}`).expect(200);
    expect(me.body.session.id).toBe(remembered.sessionId);
    // The page's CSRF token from sign-in still works after the rotation it never saw.
    await pair.a.http
      .post('/me/sessions/00000000-0000-4000-8000-000000000000/report')
      .set('Cookie', `__Host-t=${next}`)
      .set('X-CSRF-Token', remembered.csrf)
      .send({})
      .expect(404);
  });

  it('delivers the rotated cookie even when a later guard denies the request', async () => {
    const remembered = await rememberedLogin(pair.a, 'carol');
    advance(61_000);
    const denied = await pair.a.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', remembered.cookie)
      .set('X-CSRF-Token', remembered.csrf)
      .expect(401);
    const next = rotatedToken(denied.headers['set-cookie']);
    expect(next).not.toBeNull();
    await pair.b.http.get('/me').set('Cookie', `__Host-t=${next}`).expect(200);
  });

  it('serves the old token within the grace window (parallel tabs), then treats it as a replay: the whole session ends on both instances and the user is told', async () => {
    const remembered = await rememberedLogin(pair.a, 'alice');
    advance(61_000);
    const rotated = await pair.a.http.get('/me').set('Cookie', remembered.cookie).expect(200);
    const next = rotatedToken(rotated.headers['set-cookie'])!;

    advance(5_000);
    const parallel = await pair.b.http.get('/me').set('Cookie', remembered.cookie).expect(200);
    expect(parallel.body.session.id).toBe(remembered.sessionId);
    expect(rotatedToken(parallel.headers['set-cookie'])).toBeNull();

    advance(6_000);
    const replay = await pair.b.http
      .get('/me')
      .set('Cookie', remembered.cookie)
      .set('User-Agent', 'copied-cookie/1.0')
      .expect(401);
    expect(replay.body).toMatchObject({ error: 'session_revoked', reason: 'token_replayed' });
    for (const instance of [pair.a, pair.b]) {
      const current = await instance.http.get('/me').set('Cookie', `__Host-t=${next}`).expect(401);
      expect(current.body).toMatchObject({ error: 'session_revoked', reason: 'token_replayed' });
    }

    const fresh = await login(pair.b, 'alice');
    const inbox = await pair.a.http
      .get('/me/notifications')
      .set('Cookie', fresh.cookie)
      .expect(200);
    const theft = inbox.body.filter(
      (n: { type: string; payload: { sessionId?: string } }) =>
        n.type === 'session_theft_detected' && n.payload.sessionId === remembered.sessionId,
    );
    expect(theft).toHaveLength(1);
    expect(theft[0].payload).toMatchObject({
      reason: 'token_replayed',
      userAgent: 'copied-cookie/1.0',
    });

    const detected = (await auditEvents('session.replay_detected', 1)).filter(
      (e) => e.sessionId === remembered.sessionId,
    );
    expect(detected).toHaveLength(1);
    const details = detected[0].details as { presentedAfterMs: number; replayGraceMs: number };
    expect(details.replayGraceMs).toBe(10_000);
    expect(details.presentedAfterMs).toBeGreaterThanOrEqual(11_000);
    expect(details.presentedAfterMs).toBeLessThan(12_000);
    expect(detected[0].ip).not.toBeNull();
  });

  it('catches a token copied before several rotations, however old', async () => {
    const remembered = await rememberedLogin(pair.b, 'bob');
    let token = remembered.token;
    for (let i = 0; i < 3; i++) {
      advance(61_000);
      const used = await pair.a.http.get('/me').set('Cookie', `__Host-t=${token}`).expect(200);
      token = rotatedToken(used.headers['set-cookie'])!;
    }
    const replay = await pair.b.http.get('/me').set('Cookie', remembered.cookie).expect(401);
    expect(replay.body.reason).toBe('token_replayed');
    await pair.a.http.get('/me').set('Cookie', `__Host-t=${token}`).expect(401);
  });

  it('rotates exactly once when twenty requests with the due token race on two instances, and ends nothing', async () => {
    const remembered = await rememberedLogin(pair.a, 'carol');
    advance(61_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? pair.a : pair.b).http.get('/me').set('Cookie', remembered.cookie),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const issued = answers.map((r) => rotatedToken(r.headers['set-cookie'])).filter(Boolean);
    expect(issued).toHaveLength(1);
    const [retired] = await query<{ n: string }>(
      `SELECT count(*) AS n FROM "${pair.schema.name}"."ss_retired_token" WHERE "sessionId" = $1`,
      [remembered.sessionId],
    );
    expect(Number(retired.n)).toBe(1);
    await pair.b.http.get('/me').set('Cookie', `__Host-t=${issued[0]}`).expect(200);
  });

  it('never rotates a standard session on use', async () => {
    const standard = await login(pair.a, 'bob');
    advance(61_000);
    const used = await pair.b.http.get('/me').set('Cookie', standard.cookie).expect(200);
    expect(rotatedToken(used.headers['set-cookie'])).toBeNull();
    expect(used.body.session.kind).toBe('standard');
  });
});

describe('remember me: limited by policy with when.remembered: false', () => {
  const policyFile = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.yaml');
  writeFileSync(
    policyFile,
    [
      'roles:',
      '  editor:',
      '    - { id: editor-read, action: read, subject: Article }',
      '    - id: editor-own',
      '      action: update',
      '      subject: Article',
      "      conditions: { authorId: '${user.id}' }",
      '      when: { remembered: false }',
      '',
    ].join('\n'),
  );
  let schema: Schema;
  let app: ExampleInstance;
  beforeAll(async () => {
    schema = await createSchema('remember_policy');
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

  it('refuses the rule in a remembered session with reason remembered_session, and allows it in a standard one', async () => {
    const remembered = await rememberedLogin(app, 'bob');
    const denied = await rename(remembered).expect(403);
    expect(denied.body).toMatchObject({ error: 'forbidden', reason: 'remembered_session' });
    await app.http.get('/articles').set('Cookie', remembered.cookie).expect(200);
    await rename(await login(app, 'bob')).expect(200);
  });

  it('refuses a policy file whose when.remembered is not a boolean at startup, naming the path', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'policy-')), 'bad.yaml');
    writeFileSync(
      bad,
      'roles:\n  editor:\n    - { action: read, subject: Article, when: { remembered: maybe } }\n',
    );
    await expect(
      startExample(newEnvironment(schema.name, { SESSION_POLICY_FILE: bad })),
    ).rejects.toThrow(/roles\.editor\[0\]\.when\.remembered: expected true or false/);
  });
});

describe('remember me under a concurrent-session limit (SESSION_MAX_PER_USER=1)', () => {
  let schema: Schema;
  let app: ExampleInstance;
  beforeAll(async () => {
    schema = await createSchema('remember_limit');
    app = await startExample(newEnvironment(schema.name, { SESSION_MAX_PER_USER: '1' }));
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('counts a remembered session like any other: a later sign-in ends it with reason session_limit', async () => {
    const remembered = await rememberedLogin(app, 'carol');
    const standard = await login(app, 'carol');
    const ended = await app.http.get('/me').set('Cookie', remembered.cookie).expect(401);
    expect(ended.body).toMatchObject({ error: 'session_revoked', reason: 'session_limit' });
    await app.http.get('/me').set('Cookie', standard.cookie).expect(200);
  });
});
