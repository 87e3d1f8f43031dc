import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { LIVE_SHUTDOWN } from '../live/live-connection.types.js';
import { DEFAULT_WS_MAX_PAYLOAD } from './ws-frames.js';
import { answerDenialsOnGateways } from './gateway-filters.js';
import { HandshakeGate, refusalBody, type AcceptedHandshake } from './handshake-gate.js';

const ACCEPTED = Symbol('nestjs-session-security.io-accepted');

/**
 * `IoAdapter` (socket.io) that admits only connections with a valid session and an allowed
 * `Origin`: others fail with `connect_error` whose message is the denial code (`data` carries
 * `{statusCode, error, message}`). The global guards judge every event against the session's
 * current state, and when the session ends on any instance the socket gets `session-ended`
 * (`{statusCode, error, message}`) and is disconnected.
 *
 * @example app.useWebSocketAdapter(new SessionIoAdapter(app));
 */
export class SessionIoAdapter extends IoAdapter {
  private gate: HandshakeGate | undefined;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
    answerDenialsOnGateways(app);
  }

  override create(
    port: number,
    options?: Partial<ServerOptions> & { namespace?: string; server?: unknown },
  ) {
    const server = super.create(port, {
      maxHttpBufferSize: DEFAULT_WS_MAX_PAYLOAD,
      ...options,
    } as ServerOptions) as Server | Namespace;
    server.use((socket, next) => {
      this.handshakes()
        .judge(socket.request)
        .then((verdict) => {
          if (verdict.ok) {
            (socket as Socket & { [ACCEPTED]?: AcceptedHandshake })[ACCEPTED] = verdict;
            return next();
          }
          const error = new Error(verdict.code) as Error & { data?: unknown };
          error.data = refusalBody(verdict);
          next(error);
        })
        .catch(() => next(new Error('session check unavailable')));
    });
    return server;
  }

  override bindClientConnect(server: Server | Namespace, callback: (socket: Socket) => void): void {
    server.on('connection', (socket: Socket & { [ACCEPTED]?: AcceptedHandshake }) => {
      const accepted = socket[ACCEPTED];
      if (!accepted) return void socket.disconnect(true);
      const handle = this.handshakes().register(accepted, 'socket.io', (why) => {
        if (why.code !== LIVE_SHUTDOWN) socket.emit('session-ended', refusalBody(why));
        socket.disconnect(true);
      });
      socket.once('disconnect', () => handle.release());
      callback(socket);
    });
  }

  private handshakes(): HandshakeGate {
    this.gate ??= new HandshakeGate(this.app);
    return this.gate;
  }
}
