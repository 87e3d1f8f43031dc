import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  CsrfService,
  InvalidCredentialsException,
  InvalidRequestException,
  LoginThrottleService,
  RequireFreshAuth,
  SessionService,
  requestState,
  setSessionCookie,
} from '../../src/index.js';
import { setHeader } from '../../src/surfaces/index.js';
import { UsersService } from '../users/users.service.js';

const body = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(12, 'newPassword: at least 12 characters').max(256),
    endOtherSessions: z.boolean().optional(),
  })
  .strict();

@Controller('me')
export class PasswordController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly csrf: CsrfService,
  ) {}

  /**
   * Changes the password (fresh authentication required), rotates the current token and, unless
   * `endOtherSessions: false`, ends every other session of the user. The new CSRF token is in the
   * `X-CSRF-Token` response header.
   */
  @RequireFreshAuth()
  @Post('password')
  @HttpCode(204)
  async change(
    @Req() request: Request,
    @Res({ passthrough: true }) response: object,
    @Body() input: unknown,
  ) {
    const parsed = body.safeParse(input);
    if (!parsed.success)
      throw new InvalidRequestException(parsed.error.issues.map((i) => i.message).join('; '));
    const state = requestState(request);
    const session = state.session!;
    const user = await this.users.findUser(Number(session.userId));
    const username = user?.username ?? session.userId;
    await this.throttle.assertAllowed(username, state.clientIp);
    if (!(await this.users.checkPassword(session.userId, parsed.data.currentPassword))) {
      await this.throttle.failed(username, state.clientIp);
      throw new InvalidCredentialsException();
    }
    await this.users.setPassword(Number(session.userId), parsed.data.newPassword);
    const issued = await this.sessions.rotate(state.tokenHash!);
    setSessionCookie(request, issued);
    await this.sessions.passwordChanged(session.userId, {
      currentSessionId: session.id,
      endOtherSessions: parsed.data.endOtherSessions !== false,
      ip: state.clientIp,
    });
    setHeader(response, 'X-CSRF-Token', this.csrf.tokenFor(issued.tokenHash, issued.session));
  }
}
