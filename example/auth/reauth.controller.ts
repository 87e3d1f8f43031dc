import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  AccountDisabledError,
  AllowPendingReauth,
  CsrfService,
  InvalidCredentialsException,
  InvalidRequestException,
  LoginThrottleService,
  SessionService,
  requestState,
  setSessionCookie,
} from '../../src/index.js';
import { UsersService } from '../users/users.service.js';
import { expiresAt } from './auth.controller.js';

const body = z.object({ password: z.string().min(1).max(256) }).strict();

@Controller('auth')
export class ReauthController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly csrf: CsrfService,
  ) {}

  /**
   * Proves the password again: `authenticatedAt` becomes now, the token and CSRF token rotate,
   * the old token is dead. Wrong passwords count toward the sign-in attempt limit.
   */
  @AllowPendingReauth()
  @Post('reauth')
  @HttpCode(200)
  async reauth(@Req() request: Request, @Body() input: unknown) {
    const parsed = body.safeParse(input);
    if (!parsed.success) throw new InvalidRequestException('Body must be {"password": string}');
    const state = requestState(request);
    const session = state.session!;
    const user = await this.users.findUser(Number(session.userId));
    const username = user?.username ?? session.userId;
    await this.throttle.assertAllowed(username, state.clientIp);
    if (!(await this.users.checkPassword(session.userId, parsed.data.password))) {
      await this.throttle.failed(username, state.clientIp);
      throw new InvalidCredentialsException();
    }
    await this.throttle.succeeded(username, state.clientIp);
    try {
      const issued = await this.sessions.reauthenticate(state.tokenHash!, session, 'password');
      setSessionCookie(request, issued);
      return {
        session: {
          id: issued.session.id,
          authenticatedAt: new Date(issued.session.authenticatedAt).toISOString(),
          expiresAt: expiresAt(issued.session),
        },
        csrfToken: this.csrf.tokenFor(issued.tokenHash),
      };
    } catch (error) {
      if (error instanceof AccountDisabledError) throw new InvalidCredentialsException();
      throw error;
    }
  }
}
