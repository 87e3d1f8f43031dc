import {
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { RedisStore } from 'connect-redis';
import type { Request } from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { createBenchApp, type BenchServer, type BenchSettings } from '../bench-app.js';
import { PingController } from '../ping.controller.js';

type WithSession = Request & { session: Record<string, unknown> };

const Anonymous = Reflector.createDecorator<boolean>({ transform: () => true });

/** The usual hand-written guard: a route needs `req.session.userId` unless marked anonymous. */
@Injectable()
class SignedInGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(Anonymous, targets)) return true;
    if (context.switchToHttp().getRequest<WithSession>().session?.userId) return true;
    throw new UnauthorizedException();
  }
}

@Controller('bench')
class ExpressSessionLoginController {
  @Anonymous()
  @Post('login')
  @HttpCode(200)
  login(@Req() request: WithSession) {
    request.session.userId = '2';
    request.session.roles = ['editor'];
    return { ok: true };
  }
}

@Module({
  controllers: [PingController, ExpressSessionLoginController],
  providers: [{ provide: APP_GUARD, useClass: SignedInGuard }],
})
class ExpressSessionBenchModule {}

/**
 * (d) The reference most NestJS apps use: express-session with connect-redis on the same Redis,
 * with a 30-minute idle expiry that every request refreshes in Redis (a GET and an EXPIRE).
 * connect-redis 9 talks to node-redis, not ioredis.
 */
export async function startExpressSession(settings: BenchSettings): Promise<BenchServer> {
  const client = createClient({ url: settings.redisUrl });
  client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
  await client.connect();
  const store = new RedisStore({ client, prefix: `${settings.redisPrefix}sess:` });
  const app = await createBenchApp(ExpressSessionBenchModule, (app) =>
    app.use(
      session({
        secret: settings.secret,
        store,
        name: 'sid',
        resave: false,
        saveUninitialized: false,
        // Secure would stop express-session from setting the cookie over plain HTTP; it changes
        // nothing in the per-request work measured here.
        cookie: { httpOnly: true, secure: false, sameSite: 'lax', maxAge: 30 * 60_000 },
      }),
    ),
  );
  return {
    app,
    close: async () => {
      await app.close();
      await client.close();
    },
  };
}
