import { Module } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { createBenchApp, type BenchServer } from '../bench-app.js';

/** `GET /ws` with nothing in front of it: the reference for the live bench's memory per socket. */
@WebSocketGateway({ path: '/ws' })
class BareBenchGateway {
  @SubscribeMessage('whoami')
  whoami() {
    return { event: 'whoami', data: {} };
  }
}

@Module({})
class BareLiveBenchModule {}

/** A Nest `ws` gateway on the plain `WsAdapter`, without the module: no session, no registry. */
export async function startBareLive(): Promise<BenchServer> {
  const app = await createBenchApp({ module: BareLiveBenchModule, providers: [BareBenchGateway] });
  app.useWebSocketAdapter(new WsAdapter(app));
  return { app, close: () => app.close() };
}
