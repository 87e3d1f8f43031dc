import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import {
  InvalidCredentialsException,
  LoginThrottleService,
  SessionEvents,
  requestState,
} from '../../src/index.js';
import { UsersService } from '../users/users.service.js';
import type { User } from '../users/user.entity.js';

/** Username + password sign-in, throttled per username and client IP. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly events: SessionEvents,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(request: Request, username: string, password: string): Promise<User> {
    const ip = requestState(request).clientIp;
    const userAgent = request.headers['user-agent'] ?? null;
    try {
      await this.throttle.assertAllowed(username, ip);
    } catch (error) {
      await this.events.emit({
        type: 'login.throttled',
        ip,
        userAgent,
        outcome: 'denied',
        details: { username },
      });
      throw error;
    }
    const user = await this.users.verify(username, password);
    if (!user) {
      await this.throttle.failed(username, ip);
      await this.events.emit({
        type: 'login.failed',
        ip,
        userAgent,
        outcome: 'failure',
        details: { username },
      });
      throw new InvalidCredentialsException();
    }
    await this.throttle.succeeded(username, ip);
    return user;
  }
}
