import { io, type Socket } from 'socket.io-client';
import { RevocationService, SessionService } from '../src/index.js';
import { connect, openSocket } from './support/live-client.js';
import { startWsApp, type WsApp } from './support/ws-app.js';

describe('a ws gateway in an app of its own', () => {
  let app: WsApp;
  beforeAll(async () => (app = await startWsApp('ws', 'wsgw')));
  afterAll(async () => app?.close());

  it('refuses an anonymous handshake', async () => {
    expect(await openSocket(app.port)).toMatchObject({ status: 401 });
  });

  it('judges every message against the current session: revoked without any signal → 4401', async () => {
    const live = await connect(app.port, await app.signIn('u-rev', ['editor']));
    expect((await live.ask({ event: 'whoami' })).data).toEqual({ userId: 'u-rev' });
    // A marker written directly emits no session event: only the per-message check can see it.
    await app.app.get(RevocationService).revokeByMarker('user', 'u-rev', { reason: 'test' });
    const denied = await live.ask({ event: 'whoami' });
    expect(denied).toMatchObject({ event: 'error', data: { error: 'session_revoked' } });
    expect(await live.closed).toMatchObject({ code: 4401, reason: 'session_revoked' });
  });

  it('refuses messages of a session that expired while the socket was open', async () => {
    const live = await connect(app.port, await app.signIn('u-exp', ['editor']));
    app.clock.advance('31m');
    const denied = await live.ask({ event: 'whoami' });
    expect(denied.data.error).toBe('session_expired');
    expect((await live.closed).code).toBe(4401);
  });

  it('applies @RequireFreshAuth to a @SubscribeMessage handler, without closing the socket', async () => {
    const live = await connect(app.port, await app.signIn('u-fresh', ['editor']));
    expect(await live.ask({ event: 'vault' })).toEqual({ event: 'vault', data: { open: true } });
    app.clock.advance('2m');
    const stale = await live.ask({ event: 'vault' });
    expect(stale).toMatchObject({
      event: 'error',
      data: { error: 'reauth_required', reason: 'stale_authentication' },
    });
    expect((await live.ask({ event: 'whoami' })).data).toEqual({ userId: 'u-fresh' });
    live.socket.close();
  });

  it('applies @Can to a @SubscribeMessage handler', async () => {
    const editor = await connect(app.port, await app.signIn('u-ed', ['editor']));
    const viewer = await connect(app.port, await app.signIn('u-view', ['viewer']));
    expect((await editor.ask({ event: 'publish' })).data).toEqual({ published: true });
    const refused = await viewer.ask({ event: 'publish' });
    expect(refused).toMatchObject({ event: 'error', data: { error: 'forbidden' } });
    expect((await viewer.ask({ event: 'whoami' })).data).toEqual({ userId: 'u-view' });
    editor.socket.close();
    viewer.socket.close();
  });
});

describe('a socket.io gateway in an app of its own', () => {
  let app: WsApp;
  const sockets: Socket[] = [];
  beforeAll(async () => (app = await startWsApp('socket.io', 'iogw')));
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.close();
  });

  function client(headers: Record<string, string> = {}): Socket {
    const socket = io(`http://127.0.0.1:${app.port}`, {
      path: '/ws',
      transports: ['websocket'],
      extraHeaders: headers,
      reconnection: false,
    });
    sockets.push(socket);
    return socket;
  }
  const connected = (socket: Socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  const refusal = (socket: Socket) =>
    new Promise<Error & { data?: Record<string, unknown> }>((resolve) =>
      socket.once('connect_error', resolve),
    );
  const next = <T>(socket: Socket, event: string) =>
    new Promise<T>((resolve) => socket.once(event, resolve));

  it('refuses a connection without a session, and a cross-site one', async () => {
    const anonymous = await refusal(client());
    expect(anonymous.message).toBe('session_required');
    expect(anonymous.data).toMatchObject({ statusCode: 401, error: 'session_required' });
    const cookie = await app.signIn('io-x', ['editor']);
    const hijack = await refusal(client({ Cookie: cookie, Origin: 'https://evil.example' }));
    expect(hijack.message).toBe('csrf_rejected');
  });

  it('answers a signed-in socket and ends it with session-ended when the session is revoked', async () => {
    const cookie = await app.signIn('io-a', ['editor']);
    const socket = client({ Cookie: cookie });
    await connected(socket);
    const answer = next<{ userId: string }>(socket, 'whoami');
    socket.emit('whoami');
    expect(await answer).toEqual({ userId: 'io-a' });
    const ended = next<{ error: string }>(socket, 'session-ended');
    const disconnected = next<string>(socket, 'disconnect');
    const [session] = await app.app.get(SessionService).list('io-a');
    await app.app.get(SessionService).revoke(session.id, 'test');
    expect(await ended).toMatchObject({ statusCode: 401, error: 'session_revoked' });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('judges every event: a revocation no signal announced is refused and disconnects', async () => {
    const socket = client({ Cookie: await app.signIn('io-b', ['viewer']) });
    await connected(socket);
    const forbidden = next<{ error: string }>(socket, 'exception');
    socket.emit('publish');
    expect(await forbidden).toMatchObject({ error: 'forbidden' });
    await app.app.get(RevocationService).revokeByMarker('user', 'io-b', { reason: 'test' });
    const revoked = next<{ error: string }>(socket, 'exception');
    const disconnected = next<string>(socket, 'disconnect');
    socket.emit('whoami');
    expect(await revoked).toMatchObject({ error: 'session_revoked' });
    expect(await disconnected).toBe('io server disconnect');
  });
});
