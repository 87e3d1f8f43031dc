import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  ForbiddenException,
  ReauthRequiredException,
  SessionExpiredException,
  SessionRequiredException,
  SessionRevokedException,
  SessionSecurityException,
} from '../errors/session-security.exception.js';
import { resolveClientIp } from '../network/client-ip.js';
import { countryOf } from '../network/country-of.js';
import { GeoResolver } from '../network/geo-resolver.interface.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import {
  requestState,
  resetRequestState,
  type SessionRequestState,
} from '../session/request-state.js';
import {
  clearedSessionCookie,
  readSessionCookie,
  sessionCookie,
} from '../session/session-cookie.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionService, SessionValidation } from '../session/session.service.js';
import { resolveCall, type GuardedCall } from '../surfaces/guarded-call.js';
import { guardOnSurface } from '../surfaces/surface-reply.js';
import { appendHeader, setHeader } from '../surfaces/http-reply.js';
import { denialEvent } from './denial-event.js';
import { AllowPendingReauth, Public } from './public.decorator.js';
import { RefuseImpersonation } from './refuse-impersonation.decorator.js';

/** A presented token and how it came. */
export interface FoundToken {
  token: string;
  via: 'cookie' | 'bearer' | 'rpc';
}

/**
 * Global guard: finds the session token (cookie; bearer only when enabled; never the URL),
 * validates it against server-side state and puts the session on the call's state. Calls without
 * `@Public()` are denied without a valid session — on every surface: HTTP (Express and Fastify),
 * GraphQL, WebSocket messages (the handshake's cookie) and RPC (the app's token extractor). A
 * surface the module cannot read a credential from is denied, never passed. An impersonation
 * session is refused (403 `forbidden`, reason `impersonation`) where `@RefuseImpersonation()` says so.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    protected readonly sessions: SessionService,
    protected readonly reflector: Reflector,
    protected readonly events: SessionEvents,
    @Inject(RESOLVED_OPTIONS) protected readonly options: ResolvedOptions,
    @Optional() @Inject(GeoResolver) protected readonly geo?: GeoResolver,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return guardOnSurface(context, () => this.check(context));
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride(Public, targets) ?? false;
    const call = resolveCall(context);
    if (!call) {
      if (isPublic) return true;
      return this.onDenied(null, new SessionRequiredException());
    }
    // An RPC carrier may be shared by several messages: each is judged afresh. (A WebSocket
    // client is not reset: messages on one socket may run concurrently, and each one's
    // validation overwrites the state or refuses the message.)
    const state =
      call.type === 'rpc' ? resetRequestState(call.carrier) : requestState(call.carrier);
    state.clientIp = this.getClientIp(call);

    const found = this.getToken(call);
    if (!found) {
      if (isPublic) return true;
      return this.onDenied(call, new SessionRequiredException());
    }
    const result = await this.validateOnce(call, found.token, state);
    if (!result.ok) {
      if (found.via === 'cookie' && call.response) {
        appendHeader(call.response, 'Set-Cookie', clearedSessionCookie(this.options));
      }
      if (isPublic) return true;
      return this.onDenied(call, this.denialFor(result));
    }
    state.session = result.session;
    state.tokenHash = result.tokenHash;
    state.via = found.via === 'rpc' ? 'bearer' : found.via;
    if (call.response) setHeader(call.response, 'Cache-Control', 'no-store');
    if (
      result.reauth &&
      !isPublic &&
      !this.reflector.get(AllowPendingReauth, context.getHandler())
    ) {
      return this.onDenied(call, new ReauthRequiredException(result.reauth));
    }
    if (
      result.session.kind === 'impersonation' &&
      this.reflector.getAllAndOverride(RefuseImpersonation, targets)
    ) {
      return this.onDenied(
        call,
        new ForbiddenException('impersonation', 'Not allowed while impersonating the user'),
      );
    }
    if (result.session.kind === 'remembered' && found.via === 'cookie' && !result.graced) {
      await this.rotateRemembered(call, state);
    }
    return true;
  }

  /**
   * Rotates a remembered session's token on use, when it is due, on HTTP requests (the only ones
   * whose response can carry the new cookie). The cookie is written here, before the handler
   * runs, so a later guard's denial or a failing handler still delivers it.
   */
  protected async rotateRemembered(call: GuardedCall, state: SessionRequestState): Promise<void> {
    if (call.type !== 'http' || !call.response || !state.session || !state.tokenHash) return;
    const issued = await this.sessions.rotateIfDue(state.tokenHash, state.session);
    if (!issued) return;
    const { session } = issued;
    appendHeader(
      call.response,
      'Set-Cookie',
      sessionCookie(this.options, issued.token, session.absoluteExpiresAt - session.lastSeenAt),
    );
    state.session = session;
    state.tokenHash = issued.tokenHash;
  }

  /**
   * The token and how it came: the session cookie (of the request, or of the WebSocket
   * handshake), a bearer header when enabled, or the app's RPC extractor.
   */
  protected getToken(call: GuardedCall): FoundToken | null {
    if (call.type === 'rpc') {
      const token = this.extractRpcToken(call);
      return typeof token === 'string' && token.length > 0 && token.length < 256
        ? { token, via: 'rpc' }
        : null;
    }
    const cookieHeader = call.headers.cookie;
    const cookie = readSessionCookie(
      typeof cookieHeader === 'string' ? cookieHeader : undefined,
      this.options.cookie.name,
    );
    if (cookie) return { token: cookie, via: 'cookie' };
    const header = call.headers.authorization;
    if (this.options.allowBearer && header?.startsWith('Bearer ') && header.length < 256) {
      return { token: header.slice(7).trim(), via: 'bearer' };
    }
    return null;
  }

  /** The app's RPC extractor on the message; one that throws on a malformed message finds none. */
  private extractRpcToken(call: GuardedCall): unknown {
    const extract = this.options.surfaces.rpcToken;
    if (!extract) return null;
    try {
      return extract(call.args[0], call.args[1]);
    } catch {
      return null;
    }
  }

  /** The client's address: the socket peer unless it is a trusted proxy. */
  protected getClientIp(call: GuardedCall): string {
    return resolveClientIp(
      call.peerAddress,
      call.headers['x-forwarded-for'],
      this.options.trustProxy,
    );
  }

  /**
   * The client's country for the theft signals, from the `GeoResolver`, on HTTP requests (and
   * GraphQL over HTTP) when the country signal is not ignored; `undefined` (not compared)
   * otherwise.
   */
  protected async getCountry(
    call: GuardedCall,
    state: SessionRequestState,
  ): Promise<string | null | undefined> {
    if (call.type !== 'http' && call.type !== 'graphql') return undefined;
    if (this.options.session.signals.country === 'ignore') return undefined;
    return countryOf(this.geo, call.carrier, state.clientIp);
  }

  /** Records and throws a denial; override to customise. */
  protected async onDenied(
    call: GuardedCall | null,
    denial: SessionSecurityException,
  ): Promise<never> {
    await this.events.emit(denialEvent(call, 'access.denied', { code: denial.code }));
    throw denial;
  }

  /**
   * Validates the token once per HTTP request: the fields of one GraphQL operation share the
   * outcome instead of asking the session store again for each resolver.
   */
  private async validateOnce(
    call: GuardedCall,
    token: string,
    state: SessionRequestState,
  ): Promise<SessionValidation> {
    const userAgent = call.headers['user-agent'];
    const from = {
      ip: state.clientIp || null,
      userAgent: userAgent?.slice(0, 512) ?? null,
      country: await this.getCountry(call, state),
    };
    if (call.type !== 'graphql') return this.sessions.validate(token, from);
    const cached = state.validation;
    if (cached?.token === token) return cached.result;
    const result = this.sessions.validate(token, from);
    state.validation = { token, result };
    return result;
  }

  private denialFor(result: Extract<SessionValidation, { ok: false }>): SessionSecurityException {
    if (result.code === 'session_expired') return new SessionExpiredException();
    if (result.code === 'session_revoked')
      return new SessionRevokedException(undefined, result.reason);
    return new SessionRequiredException();
  }
}

declare module '../session/request-state.js' {
  interface SessionRequestState {
    /** The one validation of a GraphQL request's token, shared by its fields. */
    validation?: { token: string; result: Promise<SessionValidation> };
  }
}
