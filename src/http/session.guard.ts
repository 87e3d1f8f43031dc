import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  ReauthRequiredException,
  SessionExpiredException,
  SessionRequiredException,
  SessionRevokedException,
  SessionSecurityException,
} from '../errors/session-security.exception.js';
import { resolveClientIp } from '../network/client-ip.js';
import type { ResolvedOptions } from '../options/resolve-options.js';
import { requestState } from '../session/request-state.js';
import { clearedSessionCookie, readSessionCookie } from '../session/session-cookie.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionService, SessionValidation } from '../session/session.service.js';
import { denialEvent } from './denial-event.js';
import { AllowPendingReauth, Public } from './public.decorator.js';

/**
 * Global guard: finds the session token (cookie; bearer only when enabled; never the URL),
 * validates it against server-side state and puts the session on the request. Routes without
 * `@Public()` are denied without a valid session.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    protected readonly sessions: SessionService,
    protected readonly reflector: Reflector,
    protected readonly events: SessionEvents,
    @Inject(RESOLVED_OPTIONS) protected readonly options: ResolvedOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const state = requestState(request);
    state.clientIp = this.getClientIp(request);
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride(Public, targets) ?? false;

    const found = this.getToken(request);
    if (!found) {
      if (isPublic) return true;
      return this.onDenied(request, new SessionRequiredException());
    }
    const result = await this.sessions.validate(found.token);
    if (!result.ok) {
      if (found.via === 'cookie') response.append('Set-Cookie', clearedSessionCookie(this.options));
      if (isPublic) return true;
      return this.onDenied(request, this.denialFor(result));
    }
    state.session = result.session;
    state.tokenHash = result.tokenHash;
    state.via = found.via;
    state.pendingReauth = result.reauth;
    response.setHeader('Cache-Control', 'no-store');
    if (
      result.reauth &&
      !isPublic &&
      !this.reflector.getAllAndOverride(AllowPendingReauth, targets)
    ) {
      return this.onDenied(request, new ReauthRequiredException(result.reauth));
    }
    return true;
  }

  /** The token and how it came: the session cookie, or a bearer header when enabled. */
  protected getToken(request: Request): { token: string; via: 'cookie' | 'bearer' } | null {
    const cookie = readSessionCookie(request.headers.cookie, this.options.cookie.name);
    if (cookie) return { token: cookie, via: 'cookie' };
    const header = request.headers.authorization;
    if (this.options.allowBearer && header?.startsWith('Bearer ') && header.length < 256) {
      return { token: header.slice(7).trim(), via: 'bearer' };
    }
    return null;
  }

  /** The client's address: the socket peer unless it is a trusted proxy. */
  protected getClientIp(request: Request): string {
    return resolveClientIp(
      request.socket?.remoteAddress,
      request.headers['x-forwarded-for'],
      this.options.trustProxy,
    );
  }

  /** Records and throws a denial; override to customise. */
  protected async onDenied(request: Request, denial: SessionSecurityException): Promise<never> {
    await this.events.emit(denialEvent(request, 'access.denied', { code: denial.code }));
    throw denial;
  }

  private denialFor(result: Extract<SessionValidation, { ok: false }>): SessionSecurityException {
    if (result.code === 'session_expired') return new SessionExpiredException();
    if (result.code === 'session_revoked') return new SessionRevokedException();
    return new SessionRequiredException();
  }
}
