import { Agent, request } from 'node:http';

/** One answer, or `status: 0` when the request failed or got no answer in time. */
export interface Answer {
  status: number;
  body: any;
  setCookie: string[];
  /** `performance.now()` when the request was sent and when its answer (or failure) came. */
  sentAt: number;
  doneAt: number;
  /** `timeout`: no answer within the limit; `error`: connection refused or reset. */
  failure?: 'timeout' | 'error';
  /** The socket error's code (`ECONNREFUSED`, `ECONNRESET`, …) when `failure` is `error`. */
  errorCode?: string;
}

/** A signed-in client: the cookie header and the CSRF token of one session. */
export interface Credentials {
  cookie: string;
  csrf: string;
  sessionId: string;
}

/** How long any request may take before it counts as hung. */
export const REQUEST_TIMEOUT_MS = 10_000;

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Minimal JSON client for the example app on a loopback port (keep-alive, a hard timeout, no
 * cookie jar: callers pass the session cookie they mean to use).
 */
export async function send(
  port: number,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Answer> {
  const first = await sendOnce(port, method, path, options);
  // A keep-alive socket the server closed for idling (Node's keepAliveTimeout) may be picked
  // just as it closes: the request never reached the app. Node's documentation advises one
  // retry on such a reused socket; a refused connection or a reset on a fresh one still counts.
  if (first.reusedSocket && first.errorCode === 'ECONNRESET')
    return sendOnce(port, method, path, options);
  return first;
}

interface SendOptions {
  credentials?: Credentials;
  body?: unknown;
  timeoutMs?: number;
}

function sendOnce(
  port: number,
  method: string,
  path: string,
  options: SendOptions,
): Promise<Answer & { reusedSocket?: boolean }> {
  const headers: Record<string, string> = {};
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.credentials) {
    headers.cookie = options.credentials.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = options.credentials.csrf;
  }
  const sentAt = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Omit<Answer, 'sentAt' | 'doneAt'>, reusedSocket?: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, sentAt, doneAt: performance.now(), reusedSocket });
    };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('error', () =>
        finish({ status: 0, body: null, setCookie: [], failure: 'error' }),
      );
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: keep the text
        }
        const setCookie = response.headers['set-cookie'] ?? [];
        finish({ status: response.statusCode ?? 0, body, setCookie });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: 0, body: null, setCookie: [], failure: 'timeout' });
    }, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        { status: 0, body: null, setCookie: [], failure: 'error', errorCode: error.code },
        req.reusedSocket,
      ),
    );
    req.end(payload);
  });
}

/** The credentials of a `POST /auth/login` answer (its `__Host-t` cookie and `csrfToken`). */
export function credentialsOf(answer: Answer): Credentials {
  const cookie = answer.setCookie.find((c) => c.startsWith('__Host-t=') && !/Max-Age=0/i.test(c));
  if (!cookie) throw new Error(`no session cookie in the answer (${answer.status})`);
  return {
    cookie: cookie.split(';')[0],
    csrf: answer.body.csrfToken,
    sessionId: answer.body.session.id,
  };
}
