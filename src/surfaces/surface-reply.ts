import type { ArgumentsHost } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import {
  DatabaseUnavailableException,
  isDatabaseUnavailable,
} from '../errors/database-unavailable.js';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { sendJson, setHeader } from './http-reply.js';

/** The body of every error the module answers: `{ statusCode, error, message, ...extra }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [key: string]: unknown;
}

/**
 * WebSocket close code (4000 + HTTP status) of a connection whose session is gone; the close
 * reason is the denial code (`session_revoked`, ...).
 *
 * @example if (event.code === WS_CLOSE_UNAUTHORIZED) showSignIn(event.reason);
 */
export const WS_CLOSE_UNAUTHORIZED = 4401;
/**
 * WebSocket close code of a refused handshake: a cross-site `Origin` or no way to check it.
 *
 * @example if (event.code === WS_CLOSE_FORBIDDEN) console.warn('refused origin');
 */
export const WS_CLOSE_FORBIDDEN = 4403;

/** Denial codes after which a long-lived connection cannot go on: it must sign in again. */
const ENDS_CONNECTION = new Set(['session_required', 'session_expired', 'session_revoked']);

/**
 * An error GraphQL servers show as-is: the denial code in `extensions.code` (`session_required`,
 * `forbidden`, …), the status and any `reason` beside it, and nothing else.
 */
export class SurfaceGraphqlError extends Error {
  readonly extensions: Record<string, unknown>;

  /** `exception`: the module's denial this error stands for, for filters that inspect it. */
  constructor(
    body: ErrorBody,
    readonly exception?: SessionSecurityException,
  ) {
    super(body.message);
    const { statusCode, error, message: _message, ...extra } = body;
    this.name = 'SessionSecurityError';
    this.extensions = { code: error, statusCode, ...extra };
  }
}

/**
 * What a guard throws for a denial on this surface: on GraphQL a {@link SurfaceGraphqlError}, so
 * the denial code reaches `extensions.code` even where the app runs guards but no filters (field
 * resolvers with `fieldResolverEnhancers: ['guards']`); elsewhere the error itself. A database
 * that cannot be reached becomes 503 `service_unavailable` (never a pass, never a 500).
 *
 * @example catch (error) { throw errorOnSurface(context, error); }
 */
export function errorOnSurface(host: ArgumentsHost, thrown: unknown): unknown {
  const error = isDatabaseUnavailable(thrown) ? new DatabaseUnavailableException() : thrown;
  if (host.getType<string>() !== 'graphql' || !(error instanceof SessionSecurityException)) {
    return error;
  }
  return new SurfaceGraphqlError(error.getResponse() as ErrorBody, error);
}

/**
 * Runs a guard's check so that what it throws comes out in the surface's shape
 * ({@link errorOnSurface}): GraphQL-shaped denials, and 503 for an unreachable database.
 *
 * @example canActivate(context) { return guardOnSurface(context, () => this.check(context)); }
 */
export function guardOnSurface(
  host: ArgumentsHost,
  check: () => Promise<boolean>,
): Promise<boolean> {
  return check().catch((error: unknown) => {
    throw errorOnSurface(host, error);
  });
}

/** Whether a denial means the session is gone (the connection it backs must close). */
export function endsConnection(body: { error: string; reason?: unknown }): boolean {
  return (
    ENDS_CONNECTION.has(body.error) ||
    (body.error === 'reauth_required' &&
      (body.reason === 'permissions_changed' || body.reason === 'suspicious_change'))
  );
}

interface WsClient {
  send?: (data: string) => unknown;
  close?: (code?: number, reason?: string) => unknown;
  emit?: (event: string, data: unknown) => unknown;
  disconnect?: (close?: boolean) => unknown;
  readyState?: number;
}

/**
 * Tells a WebSocket client why its message was refused (`{"event":"error","data":body}`) and,
 * when the session is gone, closes the connection with 4401 and the denial code as reason.
 * socket.io clients get an `exception` event and are disconnected instead.
 */
export function denyWebSocket(client: unknown, body: ErrorBody): void {
  const socket = client as WsClient | undefined;
  if (!socket) return;
  const closing = endsConnection(body);
  if (typeof socket.send === 'function' && typeof socket.close === 'function') {
    if (socket.readyState !== undefined && socket.readyState !== 1) return;
    socket.send(JSON.stringify({ event: 'error', data: body }));
    if (closing) socket.close(WS_CLOSE_UNAUTHORIZED, body.error);
    return;
  }
  if (typeof socket.emit === 'function') {
    socket.emit('exception', body);
    if (closing) socket.disconnect?.(true);
  }
}

/**
 * Answers an error on the surface it happened on: JSON with headers over HTTP, a
 * {@link SurfaceGraphqlError} for GraphQL (returned, so the resolver's field fails with it), an
 * error message (and a 4401 close when the session is gone) on WebSockets, an error
 * Observable carrying the body for RPC.
 */
export function replyOnSurface(
  host: ArgumentsHost,
  body: ErrorBody,
  headers: Record<string, string> = {},
): Observable<never> | Error | undefined {
  const type = host.getType<string>();
  if (type === 'http') {
    const response = host.switchToHttp().getResponse<object>();
    for (const [name, value] of Object.entries(headers)) setHeader(response, name, value);
    sendJson(response, body.statusCode, body);
    return undefined;
  }
  if (type === 'graphql') return new SurfaceGraphqlError(body);
  if (type === 'ws') {
    denyWebSocket(host.switchToWs().getClient(), body);
    return undefined;
  }
  return throwError(() => body);
}
