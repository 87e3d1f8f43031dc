import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  AllowPendingReauth,
  CsrfService,
  ImpersonationService,
  InvalidRequestException,
  Public,
  SessionLogin,
  clearSessionCookie,
  requestState,
} from '../../src/index.js';
import { UsersService } from '../users/users.service.js';

const credentials = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  rememberMe: z.boolean().optional(),
});

@Controller('auth')
export class AuthController {
  constructor(
    private readonly logins: SessionLogin,
    private readonly users: UsersService,
    private readonly csrf: CsrfService,
    private readonly impersonation: ImpersonationService,
  ) {}

  /**
   * Signs in through the module's throttled login: always a new session and a new token (a
   * session presented with the request ends); 429 past `LOGIN_MAX_ATTEMPTS` failures.
   * `rememberMe: true` starts a remembered session (longer-lived cookie, never fresh auth).
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Req() request: Request, @Body() body: unknown) {
    const parsed = credentials.safeParse(body);
    if (!parsed.success) {
      throw new InvalidRequestException(
        'Body must be {"username": string, "password": string, "rememberMe"?: boolean}',
      );
    }
    const { username, password, rememberMe } = parsed.data;
    const signedIn = await this.logins.login(request, {
      username,
      // The User entity (numeric id, roles, disabled) is itself a SessionPrincipal.
      verify: () => this.users.verify(username, password),
      authLevel: 'password',
      rememberMe: rememberMe === true,
    });
    const { user } = signedIn;
    return {
      user: { id: user.id, username: user.username, roles: user.roles },
      session: {
        id: signedIn.session.id,
        expiresAt: signedIn.expiresAt,
        kind: signedIn.session.kind,
      },
      csrfToken: signedIn.csrfToken,
    };
  }

  /** Ends the session: the token is dead at once and the cookie is cleared. */
  @AllowPendingReauth()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: Request): Promise<void> {
    await this.logins.logout(request);
  }

  /**
   * Ends the impersonation session the request is made in, on every instance, and clears its
   * cookie; 409 from any other session.
   */
  @Post('impersonation/end')
  @HttpCode(204)
  async endImpersonation(@Req() request: Request): Promise<void> {
    const state = requestState(request);
    if (!(await this.impersonation.end(state.session!, state.tokenHash!))) {
      throw new InvalidRequestException('This session is not an impersonation session', 409);
    }
    clearSessionCookie(request);
  }

  /** The session's CSRF token; also for a session that must re-authenticate first. */
  @AllowPendingReauth()
  @Get('csrf')
  csrfToken(@Req() request: Request) {
    const state = requestState(request);
    return { csrfToken: this.csrf.tokenFor(state.tokenHash!, state.session) };
  }
}

export function expiresAt(session: { idleExpiresAt: number; absoluteExpiresAt: number }): string {
  return new Date(Math.min(session.idleExpiresAt, session.absoluteExpiresAt)).toISOString();
}
