import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { clearedSessionCookie, sessionCookie } from '../session/session-cookie.js';
import { resolveCall } from '../surfaces/guarded-call.js';
import { appendHeader, headersSent, setHeader } from '../surfaces/http-reply.js';

/**
 * Writes the cookie a handler asked for (`setSessionCookie` / `clearSessionCookie`) and marks
 * authenticated responses `Cache-Control: no-store`, on Express and Fastify, for routes and for
 * GraphQL operations. A streamed response (SSE) has sent its headers before its first event:
 * nothing is written after that.
 */
@Injectable()
export class SessionCookieInterceptor implements NestInterceptor {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call =
      context.getType() === 'http' || context.getType<string>() === 'graphql'
        ? resolveCall(context)
        : null;
    const response = call?.response;
    if (!call || !response) return next.handle();
    let written = false;
    return next.handle().pipe(
      tap(() => {
        if (written || headersSent(response)) return;
        written = true;
        const state = requestState(call.carrier);
        const pending = state.pendingCookie;
        if (pending?.kind === 'set') {
          const maxAge = pending.expiresAt - this.clock.now();
          appendHeader(response, 'Set-Cookie', sessionCookie(this.options, pending.token, maxAge));
        } else if (pending?.kind === 'clear') {
          appendHeader(response, 'Set-Cookie', clearedSessionCookie(this.options));
          setHeader(response, 'Clear-Site-Data', '"cache", "cookies", "storage"');
        }
        if (state.session || pending) setHeader(response, 'Cache-Control', 'no-store');
      }),
    );
  }
}
