import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerClientErrorsAsJson, clientErrorBody } from './client-error-reply.js';

/** Sends raw bytes and resolves with everything the server answered before closing. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('answerClientErrorsAsJson', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('ok'));
    server.on('clientError', () => undefined);
    answerClientErrorsAsJson(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 20 kB of headers with 431 and the module JSON body, and replaces other listeners', async () => {
    expect(server.listenerCount('clientError')).toBe(1);
    const answer = await exchange(
      port,
      `GET / HTTP/1.1\r\nHost: a\r\nCookie: x=${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(bodyOf(answer)).toEqual({
      statusCode: 431,
      error: 'invalid_request',
      message: 'Request headers too large',
    });
  });

  it('answers a malformed request line with 400 invalid_request', async () => {
    const answer = await exchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(answer)).toMatchObject({ statusCode: 400, error: 'invalid_request' });
  });

  it('keeps serving ordinary requests', async () => {
    const answer = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*ok$/);
  });

  it('writes nothing on a connection the client reset', () => {
    expect(clientErrorBody({ code: 'ECONNRESET' })).toBeNull();
    expect(clientErrorBody({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })?.statusCode).toBe(408);
  });
});
