import { randomBytes } from 'node:crypto';
import { createSchema, query } from './support/database.js';
import {
  type Client,
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
  tokenFrom,
} from './support/example-app.js';
import { startLoginApp, type LoginApp } from './support/login-app.js';
import { SessionService } from '../src/index.js';

type Schema = Awaited<ReturnType<typeof createSchema>>;

/** Two instances of the example on one schema and Redis prefix, with `env`. */
function twoInstances(label: string, env: Record<string, string>) {
  const pair = {} as { a: ExampleInstance; b: ExampleInstance; schema: Schema };
  beforeAll(async () => {
    pair.schema = await createSchema(label);
    const environment = newEnvironment(pair.schema.name, env);
    pair.a = await startExample(environment);
    pair.b = await startExample(environment);
  });
  afterAll(async () => {
    await pair.a?.close();
    await pair.b?.close();
    await pair.schema?.drop();
  });
  return pair;
}

/** `n` simultaneous sign-ins of `username`, alternating between the two instances. */
function simultaneousLogins(
  pair: { a: ExampleInstance; b: ExampleInstance },
  username: string,
  n: number,
) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      (i % 2 === 0 ? pair.a : pair.b).http
        .post('/auth/login')
        .set('User-Agent', `device-${i}`)
        .send({ username, password: `${username}-password` }),
    ),
  );
}

/** Sessions of the user the database holds as not revoked. */
async function unrevokedSessions(schema: string, userId: number): Promise<number> {
  const [row] = await query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}"."ss_session" WHERE "userId" = $1 AND "revokedAt" IS NULL`,
    [String(userId)],
  );
  return Number(row.n);
}

/** Audit events of a type for a user, oldest first, as the chain stored them. */
async function auditEvents(schema: string, type: string, userId: number) {
  const rows = await query<{ sessionId: string | null; outcome: string; details: string }>(
    `SELECT "sessionId", "outcome", "details" FROM "${schema}"."ss_audit_event"
     WHERE "type" = $1 AND "userId" = $2 ORDER BY "seq"`,
    [type, String(userId)],
  );
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as unknown }));
}

describe('concurrent-session limit, end-oldest (SESSION_MAX_PER_USER=3), two instances', () => {
  const pair = twoInstances('limit_oldest', { SESSION_MAX_PER_USER: '3' });

  it('never leaves more than three sessions alive after twenty simultaneous sign-ins on two instances', async () => {
    const responses = await simultaneousLogins(pair, 'bob', 20);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await unrevokedSessions(pair.schema.name, 2)).toBe(3);

    const cookies = responses.map((r) => `__Host-t=${tokenFrom(r.headers['set-cookie'])}`);
    for (const instance of [pair.a, pair.b]) {
      const answers = await Promise.all(
        cookies.map((cookie) => instance.http.get('/me').set('Cookie', cookie)),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
      const refused = answers.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(17);
      for (const r of refused) {
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ error: 'session_revoked', reason: 'session_limit' });
      }
    }
  });

  it('ends the oldest session at once on the other instance, with reason session_limit', async () => {
    const first = await login(pair.a, 'carol');
    const second = await login(pair.b, 'carol');
    const third = await login(pair.a, 'carol');
    const me = await pair.b.http.get('/me').set('Cookie', first.cookie).expect(200);
    // The Security page tells the user the limit from GET /me.
    expect(me.body.sessionLimit).toEqual({ maxSessions: 3, policy: 'end-oldest' });

    const fourth = await login(pair.b, 'carol');
    const denied = await pair.b.http.get('/me').set('Cookie', first.cookie).expect(401);
    expect(denied.body).toEqual({
      statusCode: 401,
      error: 'session_revoked',
      message: expect.any(String),
      reason: 'session_limit',
    });
    await pair.a.http.get('/me').set('Cookie', first.cookie).expect(401);
    for (const alive of [second, third, fourth]) {
      await pair.a.http.get('/me').set('Cookie', alive.cookie).expect(200);
    }
    const listed = await pair.a.http.get('/me/sessions').set('Cookie', fourth.cookie).expect(200);
    expect(listed.body.map((s: { id: string }) => s.id).sort()).toEqual(
      [second, third, fourth].map((c) => c.sessionId).sort(),
    );
  });

  it('tells the user, in a notification, that they were signed out because they signed in elsewhere', async () => {
    const oldest = await login(pair.a, 'alice');
    for (let i = 0; i < 2; i++) await login(pair.b, 'alice');
    const newest = await login(pair.b, 'alice');
    const inbox = await pair.a.http
      .get('/me/notifications')
      .set('Cookie', newest.cookie)
      .expect(200);
    const notice = inbox.body.find(
      (n: { type: string; payload: { sessionId?: string } }) =>
        n.type === 'session_revoked' && n.payload.sessionId === oldest.sessionId,
    );
    expect(notice.payload).toEqual({
      sessionId: oldest.sessionId,
      reason: 'session_limit',
      replacedBy: newest.sessionId,
      message: 'You were signed out because you signed in elsewhere',
    });
  });

  it('audits each decision: the sessions it ended, and their revocation with the reason', async () => {
    const enforced = await auditEvents(pair.schema.name, 'session.limit_enforced', 1);
    const last = enforced.at(-1)!;
    expect(last.outcome).toBe('success');
    expect(last.details).toMatchObject({ policy: 'end-oldest', limit: 3 });
    const ended = (last.details as { endedSessions: string[] }).endedSessions;
    expect(ended).toHaveLength(1);
    const revoked = await auditEvents(pair.schema.name, 'session.revoked', 1);
    expect(revoked.find((e) => e.sessionId === ended[0])?.details).toEqual({
      reason: 'session_limit',
      replacedBy: last.sessionId,
    });
  });

  it('does not count sessions that ended otherwise (logout) toward the limit', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 3; i++) clients.push(await login(pair.a, 'bob'));
    await pair.a.http
      .post('/auth/logout')
      .set('Cookie', clients[0].cookie)
      .set('X-CSRF-Token', clients[0].csrf)
      .expect(204);
    await login(pair.b, 'bob');
    for (const alive of clients.slice(1)) {
      await pair.b.http.get('/me').set('Cookie', alive.cookie).expect(200);
    }
  });
});

describe('concurrent-session limit, refuse-new (SESSION_LIMIT_POLICY=refuse-new), two instances', () => {
  const pair = twoInstances('limit_refuse', {
    SESSION_MAX_PER_USER: '2',
    SESSION_LIMIT_POLICY: 'refuse-new',
  });

  it('admits exactly two of twenty simultaneous sign-ins and refuses the rest with 409 too_many_sessions', async () => {
    const responses = await simultaneousLogins(pair, 'bob', 20);
    const admitted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(admitted).toHaveLength(2);
    expect(refused).toHaveLength(18);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ statusCode: 409, error: 'too_many_sessions', limit: 2 });
      expect(r.headers['set-cookie'] ?? []).not.toContainEqual(
        expect.stringMatching(/^__Host-t=[^;]/),
      );
    }
    expect(await unrevokedSessions(pair.schema.name, 2)).toBe(2);
    for (const r of admitted) {
      const cookie = `__Host-t=${tokenFrom(r.headers['set-cookie'])}`;
      await pair.b.http.get('/me').set('Cookie', cookie).expect(200);
    }
  });

  it('admits a sign-in again once the user ends one of their sessions, and audits the refusal', async () => {
    const first = await login(pair.a, 'carol');
    await login(pair.b, 'carol');
    await pair.a.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' })
      .expect(409);
    await pair.a.http
      .post('/auth/logout')
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', first.csrf)
      .expect(204);
    await login(pair.b, 'carol');

    const refusals = await auditEvents(pair.schema.name, 'session.limit_refused', 3);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      outcome: 'denied',
      details: { policy: 'refuse-new', limit: 2, liveSessions: 2 },
    });
  });
});

describe('concurrent-session limit per role, in an app of its own', () => {
  let schema: Schema;
  let app: LoginApp;

  beforeAll(async () => {
    schema = await createSchema('limit_role');
    app = await startLoginApp(
      schema.name,
      `test:${randomBytes(4).toString('hex')}:`,
      { dana: 'dana-password', eve: 'eve-password' },
      { session: { limit: { maxSessions: 3, perRole: { member: 1 } } } },
    );
    await app.dataSource.query(
      `UPDATE "app_user" SET "roles" = '["guest"]' WHERE "username" = 'eve'`,
    );
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  const signIn = async (username: string) => {
    const response = await app.http
      .post('/auth/login')
      .send({ username, password: `${username}-password` })
      .expect(200);
    return `__Host-t=${tokenFrom(response.headers['set-cookie'])}`;
  };

  it('gives a user with a limited role the smaller limit, and others maxSessions', async () => {
    const first = await signIn('dana');
    const second = await signIn('dana');
    const denied = await app.http.get('/profile').set('Cookie', first).expect(401);
    expect(denied.body.reason).toBe('session_limit');
    await app.http.get('/profile').set('Cookie', second).expect(200);

    const eve = [await signIn('eve'), await signIn('eve'), await signIn('eve')];
    for (const cookie of eve) await app.http.get('/profile').set('Cookie', cookie).expect(200);
    await signIn('eve');
    await app.http.get('/profile').set('Cookie', eve[0]).expect(401);
    await app.http.get('/profile').set('Cookie', eve[1]).expect(200);
  });

  it('tells an app the limit that applies to a user, for its pages', () => {
    const sessions = app.app.get(SessionService);
    expect(sessions.limitFor(['member', 'guest'])).toEqual({
      maxSessions: 1,
      policy: 'end-oldest',
    });
    expect(sessions.limitFor(['guest'])).toEqual({ maxSessions: 3, policy: 'end-oldest' });
  });
});
