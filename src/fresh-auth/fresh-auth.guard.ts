import {
  Inject,
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  ForbiddenException,
  ReauthRequiredException,
  SessionRequiredException,
} from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { denialEvent } from '../http/denial-event.js';
import { Public } from '../http/public.decorator.js';
import { SessionEvents } from '../session/session-events.js';
import { resolveCall, type GuardedCall } from '../surfaces/guarded-call.js';
import { guardOnSurface } from '../surfaces/surface-reply.js';
import { decideFreshAuth, type FreshAuthRequirement } from './fresh-auth-decision.js';
import { FreshAuthMetadata } from './require-fresh-auth.decorator.js';

/**
 * Enforces `@RequireFreshAuth()` on every surface (HTTP, GraphQL, WebSocket, RPC); handlers
 * without it pass untouched. Runs after the session guard and reads the validated session from
 * the call's state. A handler that requires fresh authentication is denied with 401
 * `session_required` when there is no session (also when this guard is used without the session
 * guard; a `@Public()` handler without a session has nothing to judge and passes), and with 401 `reauth_required`, a `reason` (`stale_authentication` or
 * `insufficient_level`) and a `WWW-Authenticate` header when the authentication is stale or
 * too weak. In an impersonation session such a handler is refused outright — 403 `forbidden`
 * with `reason: "impersonation"` — since no re-authentication can make an impersonator the user:
 * changing the password, ending sessions and admin actions stay the user's own.
 *
 * @example
 * @UseGuards(FreshAuthGuard)
 * @RequireFreshAuth('5m')
 * @Post('me/password')
 * changePassword() {}
 */
@Injectable()
export class FreshAuthGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    @Inject(Clock) protected readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) protected readonly options: ResolvedOptions,
    @Optional() protected readonly events?: SessionEvents,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return guardOnSurface(context, () => this.check(context));
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const requirement = this.getRequirement(context);
    if (!requirement) return true;
    const call = resolveCall(context);
    const session = call ? requestState(call.carrier).session : undefined;
    if (!session) {
      if (this.isPublic(context)) return true;
      throw new SessionRequiredException();
    }
    if (session.kind === 'impersonation') {
      return this.onDenied(
        call,
        new ForbiddenException('impersonation', 'Not allowed while impersonating the user'),
      );
    }
    const decision = decideFreshAuth(
      session,
      requirement,
      this.clock.now(),
      this.options.freshAuth.levels,
    );
    if (decision.ok) return true;
    const details = decision.level
      ? { maxAge: decision.maxAge, level: decision.level }
      : { maxAge: decision.maxAge };
    return this.onDenied(call, new ReauthRequiredException(decision.reason, details));
  }

  /** A `@Public()` handler without a session has nothing to judge (e.g. login on a fresh class). */
  protected isPublic(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    return this.reflector.getAllAndOverride(Public, targets) ?? false;
  }

  /**
   * The route's requirement (method over class), with the module's `freshAuth.maxAge` when the
   * decorator gave none; `null` when the route has no `@RequireFreshAuth()`.
   */
  protected getRequirement(context: ExecutionContext): FreshAuthRequirement | null {
    const targets = [context.getHandler(), context.getClass()];
    const metadata = this.reflector.getAllAndOverride(FreshAuthMetadata, targets);
    if (!metadata) return null;
    const requirement: FreshAuthRequirement = {
      maxAgeMs: metadata.maxAgeMs ?? this.options.freshAuth.maxAgeMs,
    };
    if (metadata.level !== undefined) requirement.level = metadata.level;
    return requirement;
  }

  /** Records and throws the denial; override to customise. */
  protected async onDenied(
    call: GuardedCall | null,
    exception: ReauthRequiredException | ForbiddenException,
  ): Promise<never> {
    const reason = (exception.getResponse() as { reason?: string }).reason;
    await this.events?.emit(denialEvent(call, 'access.denied', { code: exception.code, reason }));
    throw exception;
  }
}
