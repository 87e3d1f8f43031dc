import { listenExample, type ListeningExample } from './support/listening-example.js';
import { login, type Client } from './support/example-app.js';
import { openSocket } from './support/live-client.js';

describe('the CSRF Origin check compares scheme, host and port', () => {
  let site: ListeningExample;
  let bob: Client;

  beforeAll(async () => {
    site = await listenExample('origin_scheme');
    bob = await login(site.instance, 'bob');
  });
  afterAll(() => site?.close());

  const csrfProbe = (host: string, origin: string) =>
    site.instance.http
      .post('/me/notifications/999999/read')
      .set('Host', host)
      .set('Origin', origin)
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf);

  it('refuses a POST whose Origin is plain http for a host that is not loopback', async () => {
    const refused = await csrfProbe('app.test', 'http://app.test').expect(403);
    expect(refused.body).toMatchObject({ statusCode: 403, error: 'csrf_rejected' });
    await csrfProbe('app.test:8443', 'http://app.test:8443').expect(403);
  });

  it('accepts the https Origin of the same host and port', async () => {
    // Past the CSRF guard, the unknown notification is the route's own 404.
    await csrfProbe('app.test', 'https://app.test').expect(404);
    await csrfProbe('app.test:8443', 'https://app.test:9443').expect(403);
  });

  it('accepts plain http from the loopback host it is served on', async () => {
    await csrfProbe(`localhost:${site.port}`, site.base).expect(404);
    await csrfProbe(`127.0.0.1:${site.port}`, `http://127.0.0.1:${site.port}`).expect(404);
  });

  it('refuses a WebSocket handshake with a plain http or ws Origin for a non-loopback host', async () => {
    for (const origin of ['http://app.test', 'ws://app.test']) {
      const refused = await openSocket(site.port, {
        Cookie: bob.cookie,
        Host: 'app.test',
        Origin: origin,
      });
      expect(refused).toMatchObject({ status: 403, body: { error: 'csrf_rejected' } });
    }
  });

  it('opens a handshake from https (or wss) of the same host, and from http on loopback', async () => {
    for (const headers of <Record<string, string>[]>[
      { Host: 'app.test', Origin: 'https://app.test' },
      { Host: 'app.test', Origin: 'wss://app.test' },
      { Origin: `http://127.0.0.1:${site.port}` },
      { Origin: `ws://127.0.0.1:${site.port}` },
    ]) {
      const opened = await openSocket(site.port, { Cookie: bob.cookie, ...headers });
      if (!('socket' in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
      expect(await opened.ask({ event: 'whoami' })).toEqual({
        event: 'whoami',
        data: { userId: '2' },
      });
      opened.socket.close();
    }
  });
});
