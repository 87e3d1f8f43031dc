import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import { denialEvent } from '../http/denial-event.js';
import { Public } from '../http/public.decorator.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  CsrfRejectedException,
  InvalidRequestException,
  SessionRequiredException,
  SessionSecurityException,
} from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { SessionEvents } from '../session/session-events.js';
import { resolveCall, type GuardedCall } from '../surfaces/guarded-call.js';
import { guardOnSurface } from '../surfaces/surface-reply.js';
import { CsrfService } from './csrf.service.js';
import { isSameOrigin, type OriginSurface } from './same-origin.js';

/**
 * Global guard for state-changing calls: unsafe HTTP methods and GraphQL mutations. It refuses
 * cross-site requests (Fetch Metadata and `Origin`), bodies that are not JSON (415), and
 * cookie-authenticated calls without the session's CSRF token in the `X-CSRF-Token` header.
 * WebSocket messages are held to the handshake's origin (cross-site WebSocket hijacking); RPC
 * carries no browser credentials and is not checked. A surface it cannot read is denied.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    protected readonly csrf: CsrfService,
    protected readonly events: SessionEvents,
    protected readonly reflector: Reflector,
    @Inject(RESOLVED_OPTIONS) protected readonly options: ResolvedOptions,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return guardOnSurface(context, () => this.check(context));
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const call = resolveCall(context);
    if (call && (call.type === 'rpc' || !call.unsafe)) return true;
    const isPublic =
      this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()]) ?? false;
    if (!call) {
      if (isPublic) return true;
      throw new SessionRequiredException();
    }
    if (!this.sameOrigin(call.headers, call.type === 'ws' ? 'websocket' : 'http'))
      return this.reject(call, new CsrfRejectedException());
    if (call.type === 'ws') return true;
    if (this.options.csrf.jsonOnly && hasBody(call.headers) && !isJson(call.headers)) {
      throw new InvalidRequestException('Request bodies must be application/json', 415);
    }
    const state = requestState(call.carrier);
    if (state.via === 'cookie' && state.tokenHash && !isPublic) {
      const presented = call.headers[this.options.csrf.headerName];
      if (!this.csrf.verify(state.tokenHash, presented, state.session)) {
        return this.reject(call, new CsrfRejectedException('Missing or invalid CSRF token'));
      }
    }
    return true;
  }

  /** Whether Fetch Metadata and `Origin` agree the request (or handshake) comes from this site. */
  protected sameOrigin(headers: IncomingHttpHeaders, surface: OriginSurface = 'http'): boolean {
    return isSameOrigin(headers, this.options.csrf.allowedOrigins, surface);
  }

  protected async reject(call: GuardedCall, denial: SessionSecurityException): Promise<never> {
    await this.events.emit(
      denialEvent(call, 'csrf.rejected', {
        origin: call.headers.origin ?? null,
        site: call.headers['sec-fetch-site'] ?? null,
      }),
    );
    throw denial;
  }
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/** Whether the body's media type is `application/json` (parameters such as charset allowed). */
function isJson(headers: IncomingHttpHeaders): boolean {
  return headers['content-type']?.split(';')[0].trim().toLowerCase() === 'application/json';
}
