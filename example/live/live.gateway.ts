import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type ActiveSession, CurrentSession } from '../../src/index.js';

/**
 * `GET /ws`: JSON text messages `{event, data}` on the `ws` protocol. The adapter admits only
 * signed-in, same-origin handshakes and closes the socket (4401) when its session ends.
 */
@WebSocketGateway({ path: '/ws' })
export class LiveGateway {
  /** `{"event":"whoami"}` → `{"event":"whoami","data":{"userId":...}}`. */
  @SubscribeMessage('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { event: 'whoami', data: { userId: session.userId } };
  }
}
