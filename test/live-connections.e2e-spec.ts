import { createSchema } from './support/database.js';
import { login, newEnvironment, type Client } from './support/example-app.js';
import {
  connect,
  listenInstance,
  openSocket,
  twoInstanceSuite,
  type LiveInstance,
} from './support/live-client.js';

const END_WITHIN_MS = 2_000;

/** Waits for a socket's close, failing if it does not come within the bound. */
async function closedWithin<T>(closed: Promise<T>, ms = END_WITHIN_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function logout(instance: LiveInstance, client: Client): Promise<void> {
  await instance.http
    .post('/auth/logout')
    .set('Cookie', client.cookie)
    .set('X-CSRF-Token', client.csrf)
    .expect(204);
}

describe('GET /ws on two instances sharing PostgreSQL and Redis', () => {
  const instances = twoInstanceSuite('live');
  let a: LiveInstance;
  let b: LiveInstance;
  beforeAll(() => void ({ a, b } = instances));

  it('refuses a handshake without a session cookie with 401 session_required', async () => {
    const refused = await openSocket(b.port);
    expect(refused).toMatchObject({ status: 401, body: { error: 'session_required' } });
  });

  it('refuses a handshake with a logged-out cookie with 401 session_revoked', async () => {
    const client = await login(a, 'bob');
    await logout(a, client);
    const refused = await openSocket(b.port, { Cookie: client.cookie });
    expect(refused).toMatchObject({ status: 401, body: { error: 'session_revoked' } });
  });

  it('refuses a cross-site handshake (WebSocket hijacking) with 403 csrf_rejected', async () => {
    const client = await login(a, 'bob');
    const refused = await openSocket(b.port, {
      Cookie: client.cookie,
      Origin: 'https://evil.example',
    });
    expect(refused).toMatchObject({ status: 403, body: { error: 'csrf_rejected' } });
    const site = await openSocket(b.port, {
      Cookie: client.cookie,
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(site).toMatchObject({ status: 403 });
  });

  it('answers whoami for a signed-in same-origin socket', async () => {
    const client = await login(a, 'bob');
    const opened = await openSocket(b.port, {
      Cookie: client.cookie,
      Origin: `http://127.0.0.1:${b.port}`,
    });
    if (!('socket' in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    expect(await opened.ask({ event: 'whoami' })).toEqual({
      event: 'whoami',
      data: { userId: '2' },
    });
    opened.socket.close();
  });

  it('answers garbage, binary, non-JSON and unknown messages with errors and keeps serving', async () => {
    const client = await login(a, 'carol');
    const live = await connect(b.port, client.cookie);
    for (const frame of ['not json', '[1,2]', '{"data":1}', '\u0000\u0001']) {
      const answer = await live.ask(frame, true);
      expect(answer).toMatchObject({ event: 'error', data: { error: 'invalid_request' } });
    }
    const binary = await live.ask(Buffer.from([0xff, 0x00, 0x7b]), true);
    expect(binary.data.message).toMatch(/Binary frames/);
    const unknown = await live.ask({ event: 'nope' });
    expect(unknown.data.message).toMatch(/Unknown event/);
    expect((await live.ask({ event: 'whoami' })).data).toEqual({ userId: '3' });
    live.socket.send('x'.repeat(64 * 1024));
    expect((await closedWithin(live.closed)).code).toBe(1009);
    await b.http.get('/health').expect(200);
  });

  it('closes the socket on B with 4401 session_revoked when the session logs out on A', async () => {
    const client = await login(a, 'bob');
    const live = await connect(b.port, client.cookie);
    await logout(a, client);
    const returned = performance.now();
    const closed = await closedWithin(live.closed);
    expect(closed).toMatchObject({ code: 4401, reason: 'session_revoked' });
    expect(closed.at - returned).toBeLessThan(1_000);
    expect(JSON.parse(live.received.at(-1) ?? '{}')).toMatchObject({
      event: 'error',
      data: { statusCode: 401, error: 'session_revoked' },
    });
  });

  it('closes the socket of one session ended from another session, and only that one', async () => {
    const victim = await login(a, 'bob');
    const other = await login(a, 'bob');
    const victimSocket = await connect(b.port, victim.cookie);
    const otherSocket = await connect(b.port, other.cookie);
    await a.http
      .delete(`/me/sessions/${victim.sessionId}`)
      .set('Cookie', other.cookie)
      .set('X-CSRF-Token', other.csrf)
      .expect(204);
    expect(await closedWithin(victimSocket.closed)).toMatchObject({ code: 4401 });
    expect((await otherSocket.ask({ event: 'whoami' })).data).toEqual({ userId: '2' });
    otherSocket.socket.close();
  });

  it('closes every other socket of the user on "end all other sessions"', async () => {
    const keeper = await login(a, 'bob');
    const first = await connect(b.port, (await login(a, 'bob')).cookie);
    const second = await connect(a.port, (await login(b, 'bob')).cookie);
    const kept = await connect(b.port, keeper.cookie);
    await a.http
      .delete('/me/sessions?scope=others')
      .set('Cookie', keeper.cookie)
      .set('X-CSRF-Token', keeper.csrf)
      .expect(204);
    expect(await closedWithin(first.closed)).toMatchObject({
      code: 4401,
      reason: 'session_revoked',
    });
    expect(await closedWithin(second.closed)).toMatchObject({ code: 4401 });
    expect((await kept.ask({ event: 'whoami' })).data).toEqual({ userId: '2' });
    kept.socket.close();
  });

  it('closes the sockets a bulk revocation matches, on every instance', async () => {
    const admin = await login(a, 'alice');
    const bob = await connect(b.port, (await login(a, 'bob')).cookie);
    const carol = await connect(b.port, (await login(a, 'carol')).cookie);
    await a.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { userIds: ['2'] }, reason: 'incident' })
      .expect(202);
    expect(await closedWithin(bob.closed)).toMatchObject({ code: 4401, reason: 'session_revoked' });
    expect((await carol.ask({ event: 'whoami' })).data).toEqual({ userId: '3' });
    carol.socket.close();
  });

  it('closes the sockets of a user whose permissions change with 4401 reauth_required', async () => {
    const admin = await login(a, 'alice');
    const live = await connect(b.port, (await login(a, 'bob')).cookie);
    await a.http
      .put('/admin/users/2/roles')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ roles: ['editor'] })
      .expect(200);
    expect(await closedWithin(live.closed)).toMatchObject({
      code: 4401,
      reason: 'reauth_required',
    });
  });

  it('closes the sockets of a disabled user', async () => {
    const admin = await login(a, 'alice');
    const live = await connect(b.port, (await login(a, 'carol')).cookie);
    await a.http
      .post('/admin/users/3/disable')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .expect(204);
    try {
      expect(await closedWithin(live.closed)).toMatchObject({
        code: 4401,
        reason: 'session_revoked',
      });
    } finally {
      await a.http
        .post('/admin/users/3/enable')
        .set('Cookie', admin.cookie)
        .set('X-CSRF-Token', admin.csrf)
        .expect(204);
    }
  });
});

describe('GET /ws and the sweep', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let app: LiveInstance;

  beforeAll(async () => {
    schema = await createSchema('livesweep');
    app = await listenInstance(newEnvironment(schema.name, { SESSION_LIVE_SWEEP_INTERVAL: '1s' }));
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('closes a socket whose session expired with 4401 session_expired, found by the sweep', async () => {
    const live = await connect(app.port, (await login(app, 'bob')).cookie);
    app.clock.advance('31m');
    expect(await closedWithin(live.closed, 3_000)).toMatchObject({
      code: 4401,
      reason: 'session_expired',
    });
  });

  it('does not extend the idle timeout of an open socket when it re-checks it', async () => {
    const client = await login(app, 'bob');
    const live = await connect(app.port, client.cookie);
    app.clock.advance('20m');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    app.clock.advance('11m');
    expect(await closedWithin(live.closed, 3_000)).toMatchObject({ reason: 'session_expired' });
    await app.http.get('/me').set('Cookie', client.cookie).expect(401);
  });
});
