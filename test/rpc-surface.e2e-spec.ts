import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditService, RevocationService, SessionService } from '../src/index.js';
import { createSchema } from './support/database.js';
import { openRpcDataSource, startRpcApp, type RpcApp } from './support/rpc-app.js';
import { receivedNotes } from './support/rpc-handlers.js';

const denial = (statusCode: number, error: string, extra: object = {}) =>
  expect.objectContaining({ statusCode, error, message: expect.any(String), ...extra });
const failure = (sent: Promise<unknown>) =>
  sent.then(
    () => 'answered',
    (e: unknown) => e,
  );
const sessionToken = (data: unknown) => (data as { sessionToken?: string } | null)?.sessionToken;

describe.each(['microservice', 'hybrid'] as const)('RPC message handlers (%s)', (mode) => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let unconfigured: RpcApp;
  let rpc: RpcApp;
  const prefix = `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    schema = await createSchema(`rpc_${mode}`);
    dataSource = await openRpcDataSource(schema.name);
    unconfigured = await startRpcApp(dataSource, `${prefix}a:`, { mode });
    rpc = await startRpcApp(dataSource, `${prefix}b:`, {
      mode,
      options: { surfaces: { rpc: { token: sessionToken } } },
    });
  });
  afterAll(async () => {
    await unconfigured?.close();
    await rpc?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  const signIn = (roles: string[] = ['editor'], id = 'u1') =>
    rpc.app.get(SessionService).create({ id, roles }, { authLevel: 'password' });

  it('denies every non-public handler when the app configured no RPC token extractor', async () => {
    const { token } = await signIn();
    for (const pattern of ['whoami', 'report', 'sensitive', 'boom']) {
      expect(await failure(unconfigured.send(pattern, { sessionToken: token }))).toEqual(
        denial(401, 'session_required'),
      );
    }
    await expect(unconfigured.send('ping', { n: 1 })).resolves.toEqual({
      pong: true,
      data: { n: 1 },
    });
  });

  it('accepts a valid token from the configured extractor and denies a missing or unknown one', async () => {
    const { token } = await signIn(['editor'], 'u7');
    await expect(rpc.send('whoami', { sessionToken: token })).resolves.toEqual({ userId: 'u7' });
    expect(await failure(rpc.send('whoami', {}))).toEqual(denial(401, 'session_required'));
    expect(await failure(rpc.send('whoami', 'a bare string'))).toEqual(
      denial(401, 'session_required'),
    );
    const unknown = randomBytes(32).toString('base64url');
    expect(await failure(rpc.send('whoami', { sessionToken: unknown }))).toEqual(
      denial(401, 'session_required'),
    );
    expect(await failure(rpc.send('whoami', { sessionToken: 42 }))).toEqual(
      denial(401, 'session_required'),
    );
    expect(await failure(rpc.send('whoami', { sessionToken: 'x'.repeat(5000) }))).toEqual(
      denial(401, 'session_required'),
    );
  });

  it('denies a revoked session with session_revoked and an expired one with session_expired', async () => {
    const revoked = await signIn();
    await rpc.send('whoami', { sessionToken: revoked.token });
    await rpc.app.get(SessionService).revoke(revoked.session.id, 'logout');
    expect(await failure(rpc.send('whoami', { sessionToken: revoked.token }))).toEqual(
      denial(401, 'session_revoked'),
    );

    const idle = await signIn();
    rpc.clock.advance('31m');
    expect(await failure(rpc.send('whoami', { sessionToken: idle.token }))).toEqual(
      denial(401, 'session_expired'),
    );
  });

  it('asks a session whose permissions changed to re-authenticate', async () => {
    const { token } = await signIn(['editor'], 'u9');
    await rpc.app.get(RevocationService).permissionsChanged('u9', { reason: 'role removed' });
    expect(await failure(rpc.send('whoami', { sessionToken: token }))).toEqual(
      denial(401, 'reauth_required', { reason: 'permissions_changed' }),
    );
  });

  it('applies @Can to RPC handlers, with subject loaders reading the message', async () => {
    const editor = await signIn(['editor'], 'u1');
    const viewer = await signIn(['viewer'], 'u2');
    await expect(rpc.send('report', { sessionToken: editor.token })).resolves.toEqual({
      report: 'q3',
    });
    expect(await failure(rpc.send('report', { sessionToken: viewer.token }))).toEqual(
      denial(403, 'forbidden'),
    );
    const rename = (articleId?: number) =>
      rpc.send('rename', { sessionToken: editor.token, articleId, title: 'New' });
    await expect(rename(1)).resolves.toEqual({ id: 1, title: 'New' });
    expect(await failure(rename(2))).toEqual(denial(403, 'forbidden'));
    expect(await failure(rename())).toEqual(denial(404, 'not_found'));
  });

  it('applies @RequireFreshAuth to RPC handlers', async () => {
    const { token } = await signIn();
    await expect(rpc.send('sensitive', { sessionToken: token })).resolves.toEqual({ done: true });
    rpc.clock.advance('6m');
    expect(await failure(rpc.send('sensitive', { sessionToken: token }))).toEqual(
      denial(401, 'reauth_required', { reason: 'stale_authentication' }),
    );
    await expect(rpc.send('whoami', { sessionToken: token })).resolves.toEqual({ userId: 'u1' });
  });

  it('answers an unexpected handler error with a masked 500 and keeps serving', async () => {
    const { token } = await signIn();
    for (const [pattern, data] of [
      ['boom', { sessionToken: token }],
      ['public-boom', {}],
    ] as const) {
      const error = await failure(rpc.send(pattern, data));
      expect(error).toEqual({
        statusCode: 500,
        error: 'internal_error',
        message: 'Internal error',
      });
    }
    await expect(rpc.send('whoami', { sessionToken: token })).resolves.toEqual({ userId: 'u1' });
  });

  it('records RPC denials in the audit trail with their surface and pattern', async () => {
    const { token } = await signIn(['viewer'], 'u-audit');
    await failure(rpc.send('report', { sessionToken: token }));
    await failure(rpc.send('whoami', { sessionToken: 'nope' }));
    const events = await rpc.app.get(AuditService).list({ limit: 20 });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'policy.denied',
          userId: 'u-audit',
          action: 'read',
          resource: 'Report',
          outcome: 'denied',
          details: expect.objectContaining({ surface: 'rpc' }),
        }),
        expect.objectContaining({
          type: 'access.denied',
          action: 'rpc whoami',
          ip: expect.stringContaining('127.0.0.1'),
          outcome: 'denied',
          details: expect.objectContaining({ code: 'session_required', surface: 'rpc' }),
        }),
      ]),
    );
  });

  it('drops a denied event unhandled and audits it; a valid one is handled', async () => {
    const { token } = await signIn(['editor'], 'u-events');
    const audit = rpc.app.get(AuditService);
    const before = (await audit.tail(1))[0]?.seq ?? 0;
    await rpc.emit('note', { text: `denied-${mode}` });
    await rpc.emit('note', { text: `allowed-${mode}`, sessionToken: token });
    const denialAudited = async () =>
      (await audit.list({ limit: 20 })).some(
        (e) =>
          e.seq > before &&
          e.type === 'access.denied' &&
          e.action === 'rpc note' &&
          e.details.code === 'session_required' &&
          e.details.surface === 'rpc',
      );
    const allowedArrived = () =>
      receivedNotes.some((n) => (n as { text?: string }).text === `allowed-${mode}`);
    const deadline = Date.now() + 5000;
    while (!(allowedArrived() && (await denialAudited()))) {
      if (Date.now() > deadline) throw new Error('the valid event or the denial audit is missing');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(receivedNotes).not.toContainEqual({ text: `denied-${mode}` });
  });
});
