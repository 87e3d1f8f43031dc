import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  AllowPendingReauth,
  InvalidRequestException,
  SessionLogin,
  requestState,
} from '../../src/index.js';
import { UsersService } from '../users/users.service.js';

const body = z.object({ password: z.string().min(1).max(256) }).strict();

@Controller('auth')
export class ReauthController {
  constructor(
    private readonly logins: SessionLogin,
    private readonly users: UsersService,
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
    const userId = requestState(request).session!.userId;
    const user = await this.users.findUser(Number(userId));
    const signedIn = await this.logins.reauthenticate(request, {
      username: user?.username ?? userId,
      verify: () => this.users.checkPassword(userId, parsed.data.password),
      level: 'password',
    });
    const { session } = signedIn;
    return {
      session: {
        id: session.id,
        authenticatedAt: new Date(session.authenticatedAt).toISOString(),
        expiresAt: signedIn.expiresAt,
      },
      csrfToken: signedIn.csrfToken,
    };
  }
}
