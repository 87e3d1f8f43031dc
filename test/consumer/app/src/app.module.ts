import { Body, Controller, Get, HttpCode, Module, Post, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CsrfService,
  CurrentSession,
  Public,
  SessionSecurityModule,
  SessionService,
  setSessionCookie,
  type ActiveSession,
} from 'nestjs-session-security';
import { DatabaseModule } from './database.module.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Login, a guarded read and "sign out everywhere", through the public API only. */
@Controller()
class AccountController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Req() req: object, @Body() body: { user: string }): Promise<{ csrfToken: string }> {
    const issued = await this.sessions.create({ id: body.user, roles: ['reader'] });
    setSessionCookie(req, issued);
    return { csrfToken: this.csrf.tokenFor(issued.tokenHash) };
  }

  @Get('profile')
  profile(@CurrentSession() session: ActiveSession): { userId: string } {
    return { userId: session.userId };
  }

  @Post('sessions/revoke-all')
  @HttpCode(200)
  async revokeAll(@CurrentSession() session: ActiveSession): Promise<{ ended: number }> {
    return { ended: await this.sessions.revokeAllForUser(session.userId, 'consumer-test') };
  }
}

/** The consumer's app: the module wired with `forRootAsync`, as the README shows. */
@Module({
  imports: [
    SessionSecurityModule.forRootAsync({
      imports: [DatabaseModule],
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => ({
        dataSource,
        secret: 'a-consumer-secret-that-is-long-enough',
        redis: REDIS_URL,
        redisKeyPrefix: `consumer:${process.env.CONSUMER_SCHEMA}:`,
      }),
    }),
  ],
  controllers: [AccountController],
})
export class AppModule {}
