import type { INestApplicationContext } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import {
  catchError,
  EMPTY,
  filter,
  first,
  fromEvent,
  mergeMap,
  of,
  share,
  takeUntil,
  type Observable,
} from 'rxjs';
import type { WebSocket, WebSocketServer } from 'ws';
import { LIVE_SHUTDOWN } from '../live/live-connection.types.js';
import { attachHandshake } from '../surfaces/guarded-call.js';
import { WS_CLOSE_UNAUTHORIZED } from '../surfaces/surface-reply.js';
import { answerDenialsOnGateways } from './gateway-filters.js';
import { HandshakeGate, refusalBody, type AcceptedHandshake } from './handshake-gate.js';
import { DEFAULT_WS_MAX_PAYLOAD, invalidFrame, parseFrame } from './ws-frames.js';

type VerifyCallback = (ok: boolean, code?: number, message?: string, headers?: object) => void;

/**
 * `WsAdapter` (the `ws` protocol) that admits only handshakes with a valid session and an allowed
 * `Origin` — others get 401/403 before the upgrade — keeps the handshake on the socket so the
 * global guards judge every message, closes the socket with 4401 and the denial code when its
 * session ends on any instance, and answers garbage frames with an `error` message.
 *
 * @example app.useWebSocketAdapter(new SessionWsAdapter(app));
 */
export class SessionWsAdapter extends WsAdapter {
  private gate: HandshakeGate | undefined;
  private readonly accepted = new WeakMap<IncomingMessage, AcceptedHandshake>();

  constructor(private readonly app: INestApplicationContext) {
    super(app);
    answerDenialsOnGateways(app);
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    return super.create(port, {
      maxPayload: DEFAULT_WS_MAX_PAYLOAD,
      ...options,
      verifyClient: (info: { req: IncomingMessage }, done: VerifyCallback) =>
        void this.verify(info.req, done),
    }) as WebSocketServer;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      const accepted = this.accepted.get(request);
      if (!accepted) return socket.close(WS_CLOSE_UNAUTHORIZED, 'session_required');
      attachHandshake(socket, {
        headers: request.headers,
        url: request.url,
        socket: { remoteAddress: request.socket?.remoteAddress },
      });
      const handle = this.handshakes().register(accepted, 'ws', (why) => {
        if (why.code === LIVE_SHUTDOWN) return socket.close(1001, 'server shutting down');
        if (socket.readyState === socket.OPEN) {
          socket.send(JSON.stringify({ event: 'error', data: refusalBody(why) }));
        }
        socket.close(WS_CLOSE_UNAUTHORIZED, why.code);
      });
      socket.once('close', () => handle.release());
      callback(socket, request);
    });
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byEvent = new Map(handlers.map((handler) => [handler.message as string, handler]));
    const close$ = fromEvent(client, 'close').pipe(share(), first());
    fromEvent(client, 'message')
      .pipe(
        mergeMap((frame) => this.handleFrame(frame as { data: unknown }, byEvent, transform)),
        filter((response) => response !== undefined && response !== null),
        takeUntil(close$),
      )
      .subscribe((response) => {
        if (client.readyState === client.OPEN) client.send(JSON.stringify(response));
      });
  }

  private handleFrame(
    frame: { data: unknown },
    byEvent: Map<string, MessageMappingProperties>,
    transform: (data: unknown) => Observable<unknown>,
  ): Observable<unknown> {
    const parsed = parseFrame(frame.data);
    if (!parsed.ok) return of(invalidFrame(parsed.message));
    const handler = byEvent.get(parsed.event);
    if (!handler) return of(invalidFrame(`Unknown event '${parsed.event.slice(0, 64)}'`));
    try {
      return transform(handler.callback(parsed.data, parsed.event)).pipe(catchError(() => EMPTY));
    } catch {
      return EMPTY;
    }
  }

  private async verify(request: IncomingMessage, done: VerifyCallback): Promise<void> {
    try {
      const verdict = await this.handshakes().judge(request);
      if (verdict.ok) {
        this.accepted.set(request, verdict);
        return done(true);
      }
      const body = JSON.stringify(refusalBody(verdict));
      done(false, verdict.status, body, { 'Content-Type': 'application/json' });
    } catch {
      done(false, 503, 'session check unavailable');
    }
  }

  private handshakes(): HandshakeGate {
    this.gate ??= new HandshakeGate(this.app);
    return this.gate;
  }
}
