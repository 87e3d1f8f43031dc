import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { denialEvent } from '../http/denial-event.js';
import { Public } from '../http/public.decorator.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  CsrfRejectedException,
  InvalidRequestException,
  SessionSecurityException,
} from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolve-options.js';
import { requestState } from '../session/request-state.js';
import { SessionEvents } from '../session/session-events.js';
import { CsrfService } from './csrf.service.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard for unsafe methods: refuses cross-site requests (Fetch Metadata and `Origin`),
 * bodies that are not JSON (415), and cookie-authenticated requests without the session's
 * CSRF token in the `X-CSRF-Token` header.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    protected readonly csrf: CsrfService,
    protected readonly events: SessionEvents,
    protected readonly reflector: Reflector,
    @Inject(RESOLVED_OPTIONS) protected readonly options: ResolvedOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (SAFE.has(request.method)) return true;
    if (!this.sameOrigin(request)) return this.reject(request, new CsrfRejectedException());
    if (this.options.csrf.jsonOnly && hasBody(request) && !request.is('application/json')) {
      throw new InvalidRequestException('Request bodies must be application/json', 415);
    }
    const state = requestState(request);
    const isPublic = this.reflector.getAllAndOverride(Public, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (state.via === 'cookie' && state.tokenHash && !isPublic) {
      const presented = request.headers[this.options.csrf.headerName];
      if (!this.csrf.verify(state.tokenHash, presented)) {
        return this.reject(request, new CsrfRejectedException('Missing or invalid CSRF token'));
      }
    }
    return true;
  }

  /** Whether Fetch Metadata and `Origin` agree the request comes from this site. */
  protected sameOrigin(request: Request): boolean {
    const site = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    if (site === 'cross-site') return false;
    if (origin === undefined) return site !== 'same-site';
    if (origin === 'null') return false;
    if (this.options.csrf.allowedOrigins.has(origin)) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  protected async reject(request: Request, denial: SessionSecurityException): Promise<never> {
    await this.events.emit(
      denialEvent(request, 'csrf.rejected', {
        origin: request.headers.origin ?? null,
        site: request.headers['sec-fetch-site'] ?? null,
      }),
    );
    throw denial;
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}
