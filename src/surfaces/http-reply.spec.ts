import { appendHeader, headersSent, sendJson, setHeader } from './http-reply.js';

/** An Express-like response recording what was written. */
function express(sent = false) {
  const headers: Record<string, string | string[]> = {};
  const out: { status?: number; body?: unknown } = {};
  const response = {
    headersSent: sent,
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    append: (name: string, value: string) => {
      const key = name.toLowerCase();
      const current = headers[key];
      headers[key] = current === undefined ? value : [current, value].flat();
    },
    status: (status: number) => ({ json: (body: unknown) => Object.assign(out, { status, body }) }),
  };
  return { response, headers, out };
}

/** A Fastify-like reply (its `raw` is the Node response) recording what was written. */
function fastify(options: { sent?: boolean; rawSent?: boolean } = {}) {
  const headers: Record<string, string | string[]> = {};
  const out: { status?: number; body?: unknown } = {};
  const reply = {
    sent: options.sent ?? false,
    raw: { headersSent: options.rawSent ?? false },
    header: (name: string, value: string) => {
      const key = name.toLowerCase();
      const current = headers[key];
      headers[key] = key === 'set-cookie' && current ? [current, value].flat() : value;
      return reply;
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
    code: (status: number) => ({ send: (body: unknown) => Object.assign(out, { status, body }) }),
  };
  return { reply, headers, out };
}

describe('adapter-neutral HTTP replies', () => {
  it('writes headers and JSON on an Express response', () => {
    const { response, headers, out } = express();
    setHeader(response, 'Cache-Control', 'no-store');
    appendHeader(response, 'Set-Cookie', 'a=1');
    appendHeader(response, 'Set-Cookie', 'b=2');
    sendJson(response, 401, { error: 'session_required' });
    expect(headers).toEqual({ 'cache-control': 'no-store', 'set-cookie': ['a=1', 'b=2'] });
    expect(out).toEqual({ status: 401, body: { error: 'session_required' } });
    expect(headersSent(response)).toBe(false);
  });

  it('writes headers and a JSON string with its content type on a Fastify reply', () => {
    const { reply, headers, out } = fastify();
    setHeader(reply, 'Cache-Control', 'no-store');
    appendHeader(reply, 'Set-Cookie', 'a=1');
    appendHeader(reply, 'Set-Cookie', 'b=2');
    appendHeader(reply, 'Vary', 'Origin');
    appendHeader(reply, 'Vary', 'Cookie');
    sendJson(reply, 403, { error: 'forbidden' });
    expect(headers).toEqual({
      'cache-control': 'no-store',
      'set-cookie': ['a=1', 'b=2'],
      vary: 'Origin, Cookie',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(out).toEqual({ status: 403, body: JSON.stringify({ error: 'forbidden' }) });
  });

  it('writes nothing once the headers are on the wire (a started stream)', () => {
    const started = express(true);
    setHeader(started.response, 'Cache-Control', 'no-store');
    appendHeader(started.response, 'Set-Cookie', 'a=1');
    sendJson(started.response, 500, {});
    expect(started.headers).toEqual({});
    expect(started.out).toEqual({});

    for (const state of [{ sent: true }, { rawSent: true }]) {
      const { reply, headers, out } = fastify(state);
      expect(headersSent(reply)).toBe(true);
      setHeader(reply, 'Cache-Control', 'no-store');
      appendHeader(reply, 'Set-Cookie', 'a=1');
      sendJson(reply, 500, {});
      expect(headers).toEqual({});
      expect(out).toEqual({});
    }
  });

  it('falls back to setHeader on a bare Node response without append', () => {
    const headers: Record<string, string> = {};
    const node = { setHeader: (name: string, value: string) => void (headers[name] = value) };
    appendHeader(node, 'Set-Cookie', 'a=1');
    expect(headers).toEqual({ 'Set-Cookie': 'a=1' });
  });
});
