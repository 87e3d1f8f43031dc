import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolve-options.js';
import { requestState } from '../session/request-state.js';
import { clearedSessionCookie, sessionCookie } from '../session/session-cookie.js';

/**
 * Writes the cookie a handler asked for (`setSessionCookie` / `clearSessionCookie`) and marks
 * authenticated responses `Cache-Control: no-store`.
 */
@Injectable()
export class SessionCookieInterceptor implements NestInterceptor {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    return next.handle().pipe(
      tap(() => {
        const state = requestState(http.getRequest());
        const response = http.getResponse<Response>();
        const pending = state.pendingCookie;
        if (pending?.kind === 'set') {
          const maxAge = pending.expiresAt - this.clock.now();
          response.append('Set-Cookie', sessionCookie(this.options, pending.token, maxAge));
        } else if (pending?.kind === 'clear') {
          response.append('Set-Cookie', clearedSessionCookie(this.options));
          response.setHeader('Clear-Site-Data', '"cache", "cookies", "storage"');
        }
        if (state.session || pending) response.setHeader('Cache-Control', 'no-store');
      }),
    );
  }
}
