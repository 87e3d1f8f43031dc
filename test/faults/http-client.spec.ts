import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { send } from './http-client.js';

/** A server that resets a connection on its n-th request (1 = the first one on the socket). */
async function resettingServer(resetOn: number): Promise<{ server: Server; port: number }> {
  const seen = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    if (n === resetOn) {
      req.socket.resetAndDestroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ n }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('the fault suite http client', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('retries once when a reused keep-alive socket is reset before answering', async () => {
    const started = await resettingServer(2);
    server = started.server;
    expect((await send(started.port, 'GET', '/')).body).toEqual({ n: 1 });
    const second = await send(started.port, 'GET', '/');
    expect(second.failure).toBeUndefined();
    expect(second.body).toEqual({ n: 1 });
  });

  it('reports a reset on a fresh connection as an error, with its code', async () => {
    const started = await resettingServer(1);
    server = started.server;
    const answer = await send(started.port, 'GET', '/');
    expect(answer).toMatchObject({ status: 0, failure: 'error', errorCode: 'ECONNRESET' });
  });
});
