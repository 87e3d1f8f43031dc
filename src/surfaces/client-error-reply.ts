import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from './surface-reply.js';

/** What Node's HTTP parser refuses before any framework sees the request, as the module answers it. */
const REFUSALS: Record<string, ErrorBody> = {
  HPE_HEADER_OVERFLOW: {
    statusCode: 431,
    error: 'invalid_request',
    message: 'Request headers too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    statusCode: 408,
    error: 'invalid_request',
    message: 'Request timeout',
  },
};
const MALFORMED: ErrorBody = {
  statusCode: 400,
  error: 'invalid_request',
  message: 'Malformed request',
};
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * The JSON answer to a request Node's HTTP parser refused (`clientError`), or `null` when the
 * connection is gone and nothing should be written.
 *
 * @example clientErrorBody({ code: 'HPE_HEADER_OVERFLOW' })?.statusCode // 431
 */
export function clientErrorBody(error: { code?: string }): ErrorBody | null {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return null;
  return REFUSALS[error.code ?? ''] ?? MALFORMED;
}

/**
 * Makes an HTTP server answer what Node's parser refuses before the app sees it (headers over
 * `--max-http-header-size` → 431, a malformed request line or header → 400, a header timeout →
 * 408) with the module's JSON error body `{statusCode, error: 'invalid_request', message}`
 * instead of Node's bare status line or the platform's own body. It replaces the server's other
 * `clientError` listeners (Fastify's included). Call it once with `app.getHttpServer()`.
 *
 * @example answerClientErrorsAsJson(app.getHttpServer());
 */
export function answerClientErrorsAsJson(server: Server): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    const body = clientErrorBody(error);
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!body || !socket.writable || inFlight?.headersSent) return socket.destroy();
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.statusCode} ${REASONS[body.statusCode]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n\r\n' +
        json,
    );
  });
}
