import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import {
  AccountDisabledError,
  AllowPendingReauth,
  InvalidCredentialsException,
  CsrfService,
  Public,
  SessionEvents,
  SessionService,
  clearSessionCookie,
  requestState,
  setSessionCookie,
} from '../../src/index.js';
import type { User } from '../users/user.entity.js';
import { toPrincipal } from '../users/users.service.js';
import { LocalAuthGuard } from './local-auth.guard.js';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfService,
    private readonly events: SessionEvents,
  ) {}

  /** Signs in: always a new session and a new token; a session presented with the request ends. */
  @Public()
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  async login(@Req() request: Request & { user: User }, @Body() _body: unknown) {
    const state = requestState(request);
    if (state.tokenHash) await this.sessions.end(state.tokenHash, 'replaced');
    const user = request.user;
    const issued = await this.sessions
      .create(toPrincipal(user), {
        ip: state.clientIp,
        userAgent: request.headers['user-agent'] ?? null,
        authLevel: 'password',
      })
      .catch((error: unknown) => {
        if (error instanceof AccountDisabledError) throw new InvalidCredentialsException();
        throw error;
      });
    setSessionCookie(request, issued);
    await this.events.emit({
      type: 'login.succeeded',
      userId: String(user.id),
      sessionId: issued.session.id,
      ip: state.clientIp,
      userAgent: request.headers['user-agent'] ?? null,
      outcome: 'success',
    });
    return {
      user: { id: user.id, username: user.username, roles: user.roles },
      session: { id: issued.session.id, expiresAt: expiresAt(issued.session) },
      csrfToken: this.csrf.tokenFor(issued.tokenHash),
    };
  }

  /** Ends the session: the token is dead at once and the cookie is cleared. */
  @AllowPendingReauth()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: Request): Promise<void> {
    const state = requestState(request);
    if (state.tokenHash) await this.sessions.end(state.tokenHash, 'logout', state.session?.userId);
    clearSessionCookie(request);
  }

  /** The session's CSRF token; also for a session that must re-authenticate first. */
  @AllowPendingReauth()
  @Get('csrf')
  csrfToken(@Req() request: Request) {
    return { csrfToken: this.csrf.tokenFor(requestState(request).tokenHash!) };
  }
}

export function expiresAt(session: { idleExpiresAt: number; absoluteExpiresAt: number }): string {
  return new Date(Math.min(session.idleExpiresAt, session.absoluteExpiresAt)).toISOString();
}
