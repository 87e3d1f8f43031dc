import { connect } from 'node:net';
import { listenExample, type ListeningExample } from './support/listening-example.js';

/** Sends raw bytes to the example and resolves with everything it answered before closing. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

describe("requests Node's HTTP parser refuses get the module JSON error body", () => {
  let site: ListeningExample;

  beforeAll(async () => {
    site = await listenExample('client_errors');
  });
  afterAll(() => site?.close());

  it('answers 20 kB of headers with 431 {statusCode, error, message}', async () => {
    const answer = await exchange(
      site.port,
      `GET /me HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/\r\ncontent-type: application\/json/i);
    expect(JSON.parse(body)).toEqual({
      statusCode: 431,
      error: 'invalid_request',
      message: 'Request headers too large',
    });
  });

  it('answers a malformed request with 400 invalid_request in JSON', async () => {
    const answer = await exchange(site.port, 'GET /me HTTP/1.1\r\nHost localhost\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).toMatchObject({ statusCode: 400, error: 'invalid_request' });
  });

  it('keeps serving afterwards', async () => {
    const health = await site.instance.http.get('/health').expect(200);
    expect(health.body.status).toBe('ok');
  });
});
