import { Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { CurrentSession, SessionSecurityModule, type ActiveSession } from '../../src/index.js';
import { SessionWsAdapter } from '../../src/websocket/index.js';
import {
  createBenchApp,
  openBenchDataSource,
  type BenchServer,
  type BenchSettings,
} from '../bench-app.js';

/** `GET /ws`: the example's gateway, reduced to `whoami`. */
@WebSocketGateway({ path: '/ws' })
class LiveBenchGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { event: 'whoami', data: { userId: session.userId } };
  }
}

@Module({})
class LiveBenchModule {}

/**
 * The second instance of the live-connection bench: the module's global guards and its `ws`
 * adapter, PostgreSQL behind and Redis shared with the revoking instance (the runner).
 */
export async function startLive(settings: BenchSettings): Promise<BenchServer> {
  const dataSource = await openBenchDataSource(settings);
  const app = await createBenchApp({
    module: LiveBenchModule,
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: { idleTimeout: '30m', absoluteTimeout: '12h' },
        worker: false,
        bulkRevocation: false,
      }),
    ],
    providers: [LiveBenchGateway],
  });
  app.useWebSocketAdapter(new SessionWsAdapter(app));
  return {
    app,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
