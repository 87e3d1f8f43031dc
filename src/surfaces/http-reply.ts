/**
 * Adapter-neutral writes to an HTTP response: an Express `Response`, a Fastify `FastifyReply`
 * (whose `raw` is the Node response), or a bare Node `ServerResponse` (what middleware and
 * their exception filters get on Fastify). The guards, interceptor and filters use these so the
 * module runs unchanged on either adapter.
 */

interface ExpressLike {
  headersSent?: boolean;
  append?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
  getHeader?: (name: string) => unknown;
  status?: (code: number) => { json: (body: unknown) => unknown };
}

interface FastifyLike {
  raw: { headersSent?: boolean };
  sent?: boolean;
  header: (name: string, value: string) => unknown;
  getHeader: (name: string) => unknown;
  code: (status: number) => { send: (body: unknown) => unknown };
}

interface NodeLike {
  headersSent: boolean;
  statusCode: number;
  getHeader: (name: string) => unknown;
  setHeader: (name: string, value: string | string[]) => unknown;
  end: (body: string) => unknown;
}

/** A Node `ServerResponse` without Express's helpers (Express adds `status` and `json`). */
function isNode(response: object): response is NodeLike {
  const node = response as Partial<NodeLike> & { status?: unknown };
  return (
    typeof node.end === 'function' &&
    typeof node.setHeader === 'function' &&
    typeof node.statusCode === 'number' &&
    typeof node.status !== 'function'
  );
}

function isFastify(response: object): response is FastifyLike {
  const reply = response as Partial<FastifyLike>;
  return typeof reply.code === 'function' && typeof reply.header === 'function' && !!reply.raw;
}

/** Whether the status line and headers are already on the wire (e.g. a started SSE stream). */
export function headersSent(response: object): boolean {
  if (isFastify(response)) return !!response.sent || !!response.raw.headersSent;
  return !!(response as ExpressLike).headersSent;
}

/** Sets a header, replacing any earlier value; a no-op once headers were sent. */
export function setHeader(response: object, name: string, value: string): void {
  if (headersSent(response)) return;
  if (isFastify(response)) {
    response.header(name, value);
    return;
  }
  (response as ExpressLike).setHeader?.(name, value);
}

/** Adds a `Set-Cookie` (or other list) header value next to those already set. */
export function appendHeader(response: object, name: string, value: string): void {
  if (headersSent(response)) return;
  if (isFastify(response)) {
    // Fastify keeps every `set-cookie` value it is given; other headers are comma-joined here.
    const current = response.getHeader(name);
    if (name.toLowerCase() === 'set-cookie' || current === undefined) response.header(name, value);
    else response.header(name, `${String(current)}, ${value}`);
    return;
  }
  if (isNode(response)) {
    const current = response.getHeader(name);
    const values = current === undefined ? [value] : [current, value].flat().map(String);
    response.setHeader(name, name.toLowerCase() === 'set-cookie' ? values : values.join(', '));
    return;
  }
  const express = response as ExpressLike;
  if (express.append) express.append(name, value);
  else express.setHeader?.(name, value);
}

/** Sends a JSON body with a status; a no-op once headers were sent. */
export function sendJson(response: object, status: number, body: unknown): void {
  if (headersSent(response)) return;
  if (isFastify(response)) {
    response.header('content-type', 'application/json; charset=utf-8');
    response.code(status).send(JSON.stringify(body));
    return;
  }
  if (isNode(response)) {
    response.statusCode = status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(body));
    return;
  }
  (response as ExpressLike).status?.(status).json(body);
}
