import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';

/** The execution contexts the module knows how to read a credential from. */
export type SurfaceType = 'http' | 'graphql' | 'ws' | 'rpc';

/**
 * One guarded call, whatever surface it came in on: an HTTP request (Express or Fastify), a
 * GraphQL field of an HTTP request, a WebSocket message, or an RPC message.
 */
export interface GuardedCall {
  type: SurfaceType;
  /** The object this call's module state lives on (request, socket, or RPC context). */
  carrier: object;
  /** The HTTP request: the route's, the GraphQL operation's, or the WebSocket handshake. */
  request: object | null;
  /** Request headers: the HTTP request's, or the WebSocket handshake's; empty for RPC. */
  headers: IncomingHttpHeaders;
  /** HTTP method of the transport (`null` for WebSocket messages and RPC). */
  method: string | null;
  /** Whether the call may change state: an unsafe HTTP method or a GraphQL mutation. */
  unsafe: boolean;
  /** The socket peer's address, before trusted-proxy resolution. */
  peerAddress: string | undefined;
  /** What is being done, for the audit trail: `PATCH /articles/:id`, `graphql mutation rename`. */
  action: string;
  /** The HTTP response (Express response or Fastify reply) headers can be written to. */
  response: object | null;
  /** The raw context-specific arguments (`[root, args, context, info]` for GraphQL). */
  args: unknown[];
}

/** Reads the session token of an RPC message; supplied by the app (`surfaces.rpc.token`). */
export type RpcTokenExtractor = (data: unknown, context: unknown) => string | null | undefined;

const HANDSHAKE = Symbol.for('nestjs-session-security.ws-handshake');
/** Where an HTTP request keeps its call: the four guards and the interceptor share one view. */
const HTTP_CALL = Symbol.for('nestjs-session-security.http-call');
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface HttpLike {
  headers?: IncomingHttpHeaders;
  method?: string;
  socket?: { remoteAddress?: string };
  raw?: { socket?: { remoteAddress?: string } };
  route?: { path?: string };
  routeOptions?: { url?: string };
  path?: string;
  url?: string;
}

/**
 * Keeps a WebSocket's upgrade request on the socket so guards can read its cookie and origin on
 * every message. The module's WebSocket adapter calls it; a custom adapter may too.
 *
 * @example server.on('connection', (socket, request) => attachHandshake(socket, request));
 */
export function attachHandshake(socket: object, request: object): void {
  (socket as { [HANDSHAKE]?: object })[HANDSHAKE] = request;
}

/** The upgrade request of a WebSocket client (ws via {@link attachHandshake}, or socket.io). */
export function handshakeOf(socket: unknown): HttpLike | undefined {
  if (!socket || typeof socket !== 'object') return undefined;
  const attached = (socket as { [HANDSHAKE]?: HttpLike })[HANDSHAKE];
  if (attached) return attached;
  const io = socket as { request?: HttpLike; handshake?: { headers?: IncomingHttpHeaders } };
  if (io.handshake && io.request?.headers) return io.request;
  return undefined;
}

/**
 * Resolves the call of an execution context, or `null` when the module cannot find where a
 * credential would be (an unknown context type, a GraphQL context without its HTTP request, a
 * WebSocket without its handshake): the guards deny such calls unless they are `@Public()`.
 */
export function resolveCall(context: ExecutionContext): GuardedCall | null {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    const request = http.getRequest<(HttpLike & { [HTTP_CALL]?: GuardedCall }) | undefined>();
    const known = request?.[HTTP_CALL];
    if (known) return known;
    const call = fromHttp('http', request, http.getResponse(), context.getArgs());
    if (call && request) request[HTTP_CALL] = call;
    return call;
  }
  if (type === 'graphql') return fromGraphql(context.getArgs());
  if (type === 'ws') return fromWs(context);
  if (type === 'rpc') return fromRpc(context);
  return null;
}

function fromHttp(
  type: 'http' | 'graphql',
  request: HttpLike | undefined,
  response: object | undefined,
  args: unknown[],
): GuardedCall | null {
  if (!request || typeof request !== 'object' || !request.headers) return null;
  const method = (request.method ?? 'GET').toUpperCase();
  const path =
    request.route?.path ?? request.routeOptions?.url ?? request.path ?? pathOf(request.url);
  return {
    type,
    carrier: request,
    request,
    headers: request.headers,
    method,
    unsafe: !SAFE_METHODS.has(method),
    peerAddress: request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress,
    action: `${method} ${path}`.trim(),
    response: response && typeof response === 'object' ? response : null,
    args,
  };
}

interface GraphqlInfo {
  fieldName?: string;
  operation?: { operation?: string };
  parentType?: { name?: string };
}

function fromGraphql(args: unknown[]): GuardedCall | null {
  const context = args[2] as
    | {
        req?: HttpLike;
        request?: HttpLike;
        res?: object;
        reply?: object;
        extra?: { request?: HttpLike };
      }
    | undefined;
  const request = context?.req ?? context?.request ?? context?.extra?.request;
  // Express links the response to its request; a Fastify reply must be put in the context.
  const response = context?.res ?? context?.reply ?? (request as { res?: object } | undefined)?.res;
  const call = fromHttp('graphql', request, response, args);
  if (!call) return null;
  const info = args[3] as GraphqlInfo | undefined;
  const operation = info?.operation?.operation ?? 'query';
  const field =
    info?.parentType?.name && !isRootType(info.parentType.name)
      ? `${info.parentType.name}.${info.fieldName ?? ''}`
      : (info?.fieldName ?? '');
  return {
    ...call,
    unsafe: operation !== 'query',
    action: `graphql ${operation} ${field}`.trim(),
  };
}

function isRootType(name: string): boolean {
  return name === 'Query' || name === 'Mutation' || name === 'Subscription';
}

function fromWs(context: ExecutionContext): GuardedCall | null {
  const ws = context.switchToWs();
  const client = ws.getClient<object>();
  const handshake = handshakeOf(client);
  if (!handshake?.headers) return null;
  const pattern = ws.getPattern?.() ?? context.getHandler()?.name;
  return {
    type: 'ws',
    carrier: client,
    request: handshake,
    headers: handshake.headers,
    method: null,
    unsafe: true,
    peerAddress: handshake.socket?.remoteAddress,
    action: `ws ${String(pattern ?? '')}`.trim(),
    response: null,
    args: context.getArgs(),
  };
}

/** What RPC transport contexts may offer: the pattern, and for TCP the socket of the peer. */
interface RpcContextLike {
  getPattern?: () => unknown;
  getSocketRef?: () => { socket?: { remoteAddress?: string } } | undefined;
}

function fromRpc(context: ExecutionContext): GuardedCall {
  const rpc = context.switchToRpc();
  const rpcContext = rpc.getContext<unknown>();
  const data = rpc.getData<unknown>();
  const carrier =
    rpcContext && typeof rpcContext === 'object'
      ? rpcContext
      : data && typeof data === 'object'
        ? data
        : {};
  const transport = rpcContext as RpcContextLike | undefined;
  const pattern = transport?.getPattern?.();
  return {
    type: 'rpc',
    carrier,
    request: null,
    headers: {},
    method: null,
    unsafe: true,
    peerAddress: transport?.getSocketRef?.()?.socket?.remoteAddress,
    action: `rpc ${String(pattern ?? context.getHandler()?.name ?? '')}`.trim(),
    response: null,
    args: context.getArgs(),
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
