import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import {
  Can,
  CurrentSession,
  RequireFreshAuth,
  SessionSecurityModule,
  SessionService,
  type ActiveSession,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { SessionWsAdapter } from '../../src/websocket/index.js';
import { SessionIoAdapter } from '../../src/websocket/socket-io.js';
import { createSchema, openModuleDatabase, TEST_REDIS_URL } from './database.js';

/** A gateway of a user's app: a session route, a fresh-auth route and a policy route. */
@WebSocketGateway({ path: '/ws' })
export class VaultGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { event: 'whoami', data: { userId: session.userId } };
  }

  @RequireFreshAuth('1m')
  @SubscribeMessage('vault')
  vault() {
    return { event: 'vault', data: { open: true } };
  }

  @Can('publish', 'Article')
  @SubscribeMessage('publish')
  publish() {
    return { event: 'publish', data: { published: true } };
  }
}

/** A running WebSocket test app. */
export interface WsApp {
  app: INestApplication;
  port: number;
  clock: ManualClock;
  /** Creates a session of `userId` with `roles` and returns its cookie header. */
  signIn(userId: string, roles: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a small app that is not the example: the module on a schema and Redis prefix of its own,
 * {@link VaultGateway} on the `ws` or socket.io adapter, listening on 127.0.0.1.
 */
export async function startWsApp(adapter: 'ws' | 'socket.io', label: string): Promise<WsApp> {
  const schema = await createSchema(label);
  const dataSource = await openModuleDatabase(schema.name);
  const clock = new ManualClock();
  @Module({
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: 'a-test-secret-that-is-long-enough-for-ws',
        redis: TEST_REDIS_URL,
        redisKeyPrefix: `test:ws:${schema.name}:`,
        clock,
        live: { sweepInterval: '1h' },
        policy: {
          document: {
            roles: {
              editor: [{ action: 'publish', subject: 'Article' }],
              viewer: [{ action: 'read', subject: 'Article' }],
            },
          },
        },
      }),
    ],
    providers: [VaultGateway],
  })
  class WsTestModule {}
  const app = await NestFactory.create(WsTestModule, { logger: false, abortOnError: false });
  app.useWebSocketAdapter(adapter === 'ws' ? new SessionWsAdapter(app) : new SessionIoAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    port,
    clock,
    signIn: async (userId, roles) => {
      const { token } = await app.get(SessionService).create({ id: userId, roles });
      return `__Host-t=${token}`;
    },
    close: async () => {
      await app.close();
      await dataSource.destroy();
      await schema.drop();
    },
  };
}
