import { Controller, HttpCode, Module, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import {
  Public,
  SessionSecurityModule,
  SessionService,
  requestState,
  sessionSecurityEntities,
  sessionSecurityMigrations,
  setSessionCookie,
} from '../../src/index.js';
import { createBenchApp, type BenchServer, type BenchSettings } from '../bench-app.js';
import { PingController } from '../ping.controller.js';

/** Signs in a fixed user through `SessionService.create`, as the example's login does. */
@Controller('bench')
class SessionLoginController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Req() request: Request) {
    const issued = await this.sessions.create(
      { id: '2', roles: ['editor'] },
      {
        ip: requestState(request).clientIp,
        userAgent: request.headers['user-agent'] ?? null,
        authLevel: 'password',
      },
    );
    setSessionCookie(request, issued);
    return { session: issued.session.id };
  }
}

@Module({})
class SessionBenchModule {}

/**
 * (b) The module's global guards in front of the route, configured as the example app configures
 * them: PostgreSQL behind, Redis as the shared cache.
 */
export async function startSession(settings: BenchSettings): Promise<BenchServer> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: settings.databaseUrl,
    schema: settings.schema,
    extra: { options: `-c search_path=${settings.schema}` },
    entities: sessionSecurityEntities,
    migrations: sessionSecurityMigrations,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const app = await createBenchApp({
    module: SessionBenchModule,
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: { idleTimeout: '30m', absoluteTimeout: '12h' },
        freshAuth: { maxAge: '5m' },
        throttle: { maxAttempts: 5 },
      }),
    ],
    controllers: [PingController, SessionLoginController],
  });
  return {
    app,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
