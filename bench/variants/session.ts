import { Controller, HttpCode, Module, Post, Req, type Type } from '@nestjs/common';
import type { Request } from 'express';
import {
  Public,
  SessionSecurityModule,
  SessionService,
  requestState,
  setSessionCookie,
  type PolicyDocument,
} from '../../src/index.js';
import {
  createBenchApp,
  openBenchDataSource,
  type BenchServer,
  type BenchSettings,
} from '../bench-app.js';
import { PingController } from '../ping.controller.js';
import { PolicyPingController, ArticleLoader } from '../policy-ping.controller.js';

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

/**
 * The (c) policy: the editor may read its own articles (a condition on the loaded instance),
 * only within an hours window (every day, all day, so the bench never depends on the clock) and
 * only from a named network that holds the loopback addresses.
 */
const BENCH_POLICY: PolicyDocument = {
  networks: { bench: ['127.0.0.1/32', '::1/128'] },
  roles: {
    editor: [
      {
        id: 'editor-reads-own-articles',
        action: 'read',
        subject: 'Article',
        conditions: { authorId: '${user.id}' },
        when: {
          hours: { days: 'Mon-Sun', from: '00:00', to: '24:00', tz: 'Europe/Berlin' },
          network: 'bench',
        },
      },
    ],
  },
};

@Module({})
class SessionBenchModule {}

/** Which route guards the ping: (b) the session guard only, (c) plus `@Can` and fresh auth. */
export type SessionVariant = 'session' | 'session-policy';

/**
 * (b) The module's global guards in front of the route, configured as the example app configures
 * them: PostgreSQL behind, Redis as the shared cache. (c) The same app with a policy document and
 * `@Can('read', 'Article', ArticleLoader)` + `@RequireFreshAuth('1h')` on the ping route.
 */
export async function startSession(
  settings: BenchSettings,
  variant: SessionVariant = 'session',
): Promise<BenchServer> {
  const dataSource = await openBenchDataSource(settings);
  const withPolicy = variant === 'session-policy';
  const ping: Type = withPolicy ? PolicyPingController : PingController;
  const app = await createBenchApp({
    module: SessionBenchModule,
    imports: [
      SessionSecurityModule.forRoot({
        dataSource,
        secret: settings.secret,
        redis: settings.redisUrl,
        redisKeyPrefix: settings.redisPrefix,
        session: {
          idleTimeout: '30m',
          absoluteTimeout: '12h',
          // BENCH_SIGNALS=off: theft signals not judged, to measure what judging them costs.
          ...(process.env.BENCH_SIGNALS === 'off'
            ? { signals: { userAgent: 'ignore', network: 'ignore', country: 'ignore' } as const }
            : {}),
        },
        freshAuth: { maxAge: '5m' },
        throttle: { maxAttempts: 5 },
        ...(withPolicy ? { policy: { document: BENCH_POLICY } } : {}),
        // No job worker in the HTTP servers: the revocation bench runs its own worker process.
        worker: false,
      }),
    ],
    controllers: [ping, SessionLoginController],
    providers: withPolicy ? [ArticleLoader] : [],
  });
  return {
    app,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
