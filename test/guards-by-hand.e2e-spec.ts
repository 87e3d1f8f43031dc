import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CsrfService, SessionService } from '../src/index.js';
import { createSchema } from './support/database.js';
import { openRpcDataSource, startRpcApp, type RpcApp } from './support/rpc-app.js';
import { GuardedByHandHttp, GuardedByHandRpcHandlers } from './support/rpc-handlers.js';

const denial = (statusCode: number, error: string, extra: object = {}) =>
  expect.objectContaining({ statusCode, error, message: expect.any(String), ...extra });
const failure = (sent: Promise<unknown>) =>
  sent.then(
    () => 'answered',
    (e: unknown) => e,
  );

describe('deny by default with the guards applied by @UseGuards (globalGuards: false)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: RpcApp;
  const prefix = `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    schema = await createSchema('by_hand');
    dataSource = await openRpcDataSource(schema.name);
    app = await startRpcApp(dataSource, prefix, {
      mode: 'hybrid',
      options: {
        globalGuards: false,
        surfaces: { rpc: { token: (data) => (data as { sessionToken?: string }).sessionToken } },
      },
      controllers: [GuardedByHandHttp, GuardedByHandRpcHandlers],
    });
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  const signIn = (roles: string[] = ['editor']) =>
    app.app.get(SessionService).create({ id: 'u1', roles }, { authLevel: 'password' });
  const cookie = (token: string) => `__Host-t=${token}`;

  it('denies HTTP routes without a session, revoked sessions, cross-site writes and missing CSRF tokens', async () => {
    const http = app.http!;
    const anonymous = await http.get('/by-hand/whoami').expect(401);
    expect(anonymous.body).toEqual(denial(401, 'session_required'));
    await http.get('/by-hand/open').expect(200, { open: true });

    const { token, tokenHash, session } = await signIn();
    await http.get('/by-hand/whoami').set('Cookie', cookie(token)).expect(200, { userId: 'u1' });
    const noCsrf = await http.post('/by-hand/write').set('Cookie', cookie(token)).expect(403);
    expect(noCsrf.body).toEqual(denial(403, 'csrf_rejected'));
    const crossSite = await http
      .post('/by-hand/write')
      .set('Cookie', cookie(token))
      .set('Origin', 'https://evil.example')
      .set('X-CSRF-Token', app.app.get(CsrfService).tokenFor(tokenHash))
      .expect(403);
    expect(crossSite.body).toEqual(denial(403, 'csrf_rejected'));
    await http
      .post('/by-hand/write')
      .set('Cookie', cookie(token))
      .set('X-CSRF-Token', app.app.get(CsrfService).tokenFor(tokenHash))
      .expect(201, { written: true });

    await app.app.get(SessionService).revoke(session.id, 'logout');
    const revoked = await http.get('/by-hand/whoami').set('Cookie', cookie(token)).expect(401);
    expect(revoked.body).toEqual(denial(401, 'session_revoked'));
  });

  it('applies @Can and @RequireFreshAuth to HTTP routes', async () => {
    const viewer = await signIn(['viewer']);
    const forbidden = await app.http!.get('/by-hand/report').set('Cookie', cookie(viewer.token));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual(denial(403, 'forbidden'));
    const editor = await signIn(['editor']);
    await app.http!.get('/by-hand/report').set('Cookie', cookie(editor.token)).expect(200);
    app.clock.advance('6m');
    const stale = await app.http!.get('/by-hand/sensitive').set('Cookie', cookie(editor.token));
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual(denial(401, 'reauth_required', { reason: 'stale_authentication' }));
  });

  it('denies RPC handlers without a valid token and applies @Can and @RequireFreshAuth', async () => {
    expect(await failure(app.send('whoami', {}))).toEqual(denial(401, 'session_required'));
    await expect(app.send('ping', {})).resolves.toEqual({ pong: true, data: {} });
    const viewer = await signIn(['viewer']);
    await expect(app.send('whoami', { sessionToken: viewer.token })).resolves.toEqual({
      userId: 'u1',
    });
    expect(await failure(app.send('report', { sessionToken: viewer.token }))).toEqual(
      denial(403, 'forbidden'),
    );
    app.clock.advance('6m');
    expect(await failure(app.send('sensitive', { sessionToken: viewer.token }))).toEqual(
      denial(401, 'reauth_required', { reason: 'stale_authentication' }),
    );
    await app.app.get(SessionService).revoke(viewer.session.id, 'logout');
    expect(await failure(app.send('whoami', { sessionToken: viewer.token }))).toEqual(
      denial(401, 'session_revoked'),
    );
  });
});
