import { Inject, Injectable, Optional } from '@nestjs/common';
import { CsrfService } from '../csrf/csrf.service.js';
import {
  InvalidCredentialsException,
  SessionRequiredException,
} from '../errors/session-security.exception.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { countryOf } from '../network/country-of.js';
import { GeoResolver } from '../network/geo-resolver.interface.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { clearSessionCookie, setSessionCookie } from '../session/session-cookie.js';
import { SessionEvents } from '../session/session-events.js';
import {
  AccountDisabledError,
  SessionService,
  type IssuedSession,
} from '../session/session.service.js';
import type { SessionPrincipal } from '../session/session.types.js';
import { LoginThrottleService } from '../throttle/login-throttle.service.js';
import type { LoginAttempt, ReauthAttempt, SignedIn } from './session-login.types.js';

/**
 * Sign-in, re-authentication and sign-out for an app's own controllers, throttled by default:
 * failed attempts are counted per username + client IP and per client IP (re-authentication
 * failures under the same username as sign-in), and past `throttle.maxAttempts` the answer is
 * 429 `too_many_attempts` with `Retry-After`, before the credentials are checked. A new session
 * always gets a new token (a presented one is ended, never adopted); the cookie is set on the
 * response and the CSRF token returned. Attempts are audited (`login.succeeded`, `login.failed`,
 * `login.throttled`).
 *
 * @example
 * const signedIn = await this.logins.login(req, { username, verify: () => users.verify(username, password) });
 * return { csrfToken: signedIn.csrfToken };
 */
@Injectable()
export class SessionLogin {
  constructor(
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottleService,
    private readonly csrf: CsrfService,
    private readonly events: SessionEvents,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Optional() @Inject(GeoResolver) private readonly geo?: GeoResolver,
  ) {}

  /**
   * Checks the credentials and starts a session.
   *
   * @throws TooManyAttemptsException (429) past the attempt limit
   * @throws InvalidCredentialsException (401) for wrong credentials or a disabled account
   * @throws TooManySessionsException (409) at the session limit under `refuse-new`
   */
  async login<P extends SessionPrincipal>(
    request: object,
    attempt: LoginAttempt<P>,
  ): Promise<SignedIn & { user: P }> {
    const user = await this.check(request, attempt.username, 'login', async () => attempt.verify());
    const state = requestState(request);
    if (state.tokenHash) await this.sessions.end(state.tokenHash, 'replaced');
    const issued = await this.sessions
      .create(user, {
        ip: state.clientIp || null,
        userAgent: userAgentOf(request),
        authLevel: attempt.authLevel,
        data: attempt.data,
        kind: attempt.rememberMe === true ? 'remembered' : 'standard',
        country: await countryOf(this.geo, request, state.clientIp),
      })
      .catch(refuseDisabled);
    await this.events.emit({
      type: 'login.succeeded',
      userId: issued.session.userId,
      sessionId: issued.session.id,
      ip: state.clientIp || null,
      userAgent: userAgentOf(request),
      outcome: 'success',
      details: { kind: issued.session.kind },
    });
    return { ...this.signedIn(request, issued), user };
  }

  /**
   * Proves the signed-in user's credentials again: `authenticatedAt` becomes now, the token and
   * the CSRF token rotate, the old token is dead, and a pending theft-signal step-up is cleared with
   * the session bound to this client. Failures count toward the sign-in limit.
   *
   * @throws SessionRequiredException (401) without a session on the request
   * @throws TooManyAttemptsException (429) past the attempt limit
   * @throws InvalidCredentialsException (401) for wrong credentials or a disabled account
   */
  async reauthenticate(request: object, attempt: ReauthAttempt): Promise<SignedIn> {
    const state = requestState(request);
    const { session, tokenHash } = state;
    if (!session || !tokenHash) throw new SessionRequiredException();
    await this.check(request, attempt.username, 'reauth', async () =>
      (await attempt.verify()) ? true : null,
    );
    const level = attempt.level ?? this.options.freshAuth.levels[0];
    const issued = await this.sessions
      .reauthenticate(tokenHash, session, level, {
        ip: state.clientIp || null,
        userAgent: userAgentOf(request),
        country: await countryOf(this.geo, request, state.clientIp),
      })
      .catch(refuseDisabled);
    return this.signedIn(request, issued);
  }

  /** Ends the request's session (its token is dead at once) and clears the cookie. */
  async logout(request: object): Promise<void> {
    const state = requestState(request);
    if (state.tokenHash) await this.sessions.end(state.tokenHash, 'logout', state.session?.userId);
    clearSessionCookie(request);
  }

  /** Throttles, runs the check and counts its outcome; a wrong answer is 401, always alike. */
  private async check<T>(
    request: object,
    username: string,
    action: 'login' | 'reauth',
    verify: () => Promise<T | null>,
  ): Promise<T> {
    const ip = requestState(request).clientIp;
    const audit = {
      ip: ip || null,
      userAgent: userAgentOf(request),
      details: { username, action },
    };
    try {
      await this.throttle.assertAllowed(username, ip);
    } catch (error) {
      await this.events.emit({ type: 'login.throttled', outcome: 'denied', ...audit });
      throw error;
    }
    const result = await verify();
    if (result === null || result === undefined) {
      await this.throttle.failed(username, ip);
      await this.events.emit({ type: 'login.failed', outcome: 'failure', ...audit });
      throw new InvalidCredentialsException();
    }
    await this.throttle.succeeded(username, ip);
    return result;
  }

  private signedIn(request: object, issued: IssuedSession): SignedIn {
    setSessionCookie(request, issued);
    const { session } = issued;
    return {
      session,
      csrfToken: this.csrf.tokenFor(issued.tokenHash, issued.session),
      expiresAt: new Date(Math.min(session.idleExpiresAt, session.absoluteExpiresAt)).toISOString(),
    };
  }
}

function refuseDisabled(error: unknown): never {
  if (error instanceof AccountDisabledError) throw new InvalidCredentialsException();
  throw error;
}

function userAgentOf(request: object): string | null {
  const value = (request as { headers?: Record<string, unknown> }).headers?.['user-agent'];
  return typeof value === 'string' ? value : null;
}
