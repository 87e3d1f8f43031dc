import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { z } from 'zod';
import { InvalidRequestException } from '../../src/index.js';

const credentials = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** Checks the body's shape (400 `invalid_request`) before passport-local verifies it. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override canActivate(context: ExecutionContext) {
    const body = context.switchToHttp().getRequest<Request>().body;
    if (!credentials.safeParse(body).success) {
      throw new InvalidRequestException('Body must be {"username": string, "password": string}');
    }
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    return user;
  }
}
