import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { requestState } from './request-state.js';

type Verify = (request: Request, done: (error: unknown, user?: unknown) => void) => void;

/** A passport strategy that hands the request to a verify callback. */
class RequestStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(request: Request): void {
    this.verify(request, (error, user) => {
      if (error) return this.error(error as Error);
      if (!user) return this.fail(401);
      this.success(user as Express.User);
    });
  }
}

/**
 * Passport strategy `'session-token'` for apps that prefer `AuthGuard('session-token')`: it
 * exposes the session the module's `SessionGuard` validated as `request.user`.
 *
 * @example @UseGuards(AuthGuard('session-token')) @Get('profile') profile(@Req() req) {}
 */
@Injectable()
export class SessionTokenStrategy extends PassportStrategy(RequestStrategy, 'session-token') {
  validate(request: Request): unknown {
    const session = requestState(request).session;
    return session ? { id: session.userId, roles: session.roles, sessionId: session.id } : null;
  }
}
