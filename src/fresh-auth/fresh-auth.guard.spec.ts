import type { ExecutionContext, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ReauthRequiredException,
  SessionRequiredException,
} from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { SessionEvents, type SessionEvent } from '../session/session-events.js';
import type { ActiveSession } from '../session/session.types.js';
import { ManualClock } from '../testing/manual-clock.js';
import { FreshAuthConfigurationError } from './fresh-auth-decision.js';
import { FreshAuthGuard } from './fresh-auth.guard.js';
import { RequireFreshAuth } from './require-fresh-auth.decorator.js';
import { Public } from '../http/public.decorator.js';

const MINUTE = 60_000;
const T0 = 1_750_000_000_000;

@RequireFreshAuth('1h')
class AdminController {
  @RequireFreshAuth('1m')
  disableUser() {}

  listUsers() {}

  @RequireFreshAuth({ level: 'mfa' })
  setRoles() {}

  @RequireFreshAuth({ level: 'hardware-key' })
  misconfigured() {}

  @Public()
  signIn() {}
}

class PlainController {
  @RequireFreshAuth()
  changePassword() {}

  profile() {}
}

type Handler = (...args: never[]) => unknown;

function setup(options: { authLevel?: string; authenticatedAt?: number } = {}) {
  const clock = new ManualClock();
  clock.freeze(T0);
  const resolved = { freshAuth: { maxAgeMs: 5 * MINUTE, levels: ['password', 'mfa'] } };
  const events = new SessionEvents();
  const emitted: SessionEvent[] = [];
  events.on((event) => void emitted.push(event));
  const guard = new FreshAuthGuard(
    new Reflector(),
    clock,
    resolved as unknown as ResolvedOptions,
    events,
  );
  const request = { method: 'POST', headers: {}, route: { path: '/admin' } };
  requestState(request).session = {
    id: 'session-1',
    userId: '1',
    authenticatedAt: options.authenticatedAt ?? T0,
    authLevel: options.authLevel ?? 'password',
  } as ActiveSession;
  const context = (controller: Type<unknown>, handler: Handler, type = 'http') =>
    ({
      getType: () => type,
      getHandler: () => handler,
      getClass: () => controller,
      getArgs: () => [request, {}],
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
      switchToRpc: () => ({ getContext: () => request, getData: () => ({}) }),
    }) as unknown as ExecutionContext;
  return { guard, clock, request, context, emitted };
}

async function denial(promise: Promise<boolean>): Promise<ReauthRequiredException> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ReauthRequiredException);
  return error as ReauthRequiredException;
}

describe('FreshAuthGuard', () => {
  it('lets a session that authenticated within the module default maxAge through', async () => {
    const { guard, clock, context } = setup();
    clock.freeze(T0 + 5 * MINUTE);
    await expect(
      guard.canActivate(context(PlainController, PlainController.prototype.changePassword)),
    ).resolves.toBe(true);
  });

  it('answers 401 reauth_required with reason, maxAge and WWW-Authenticate when stale', async () => {
    const { guard, clock, context } = setup();
    clock.freeze(T0 + 5 * MINUTE + 1);
    const error = await denial(
      guard.canActivate(context(PlainController, PlainController.prototype.changePassword)),
    );
    expect(error.getStatus()).toBe(401);
    expect(error.getResponse()).toEqual({
      statusCode: 401,
      error: 'reauth_required',
      message: expect.any(String),
      reason: 'stale_authentication',
      maxAge: 5 * MINUTE,
    });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Session error="reauth_required", reason="stale_authentication", max_age=300',
    );
  });

  it('denies an mfa route to a fresh password session with insufficient_level', async () => {
    const { guard, context } = setup({ authLevel: 'password' });
    const error = await denial(
      guard.canActivate(context(AdminController, AdminController.prototype.setRoles)),
    );
    expect(error.getResponse()).toMatchObject({
      error: 'reauth_required',
      reason: 'insufficient_level',
      level: 'mfa',
      maxAge: 5 * MINUTE,
    });
    expect(error.headers['WWW-Authenticate']).toBe(
      'Session error="reauth_required", reason="insufficient_level", max_age=300, level="mfa"',
    );
  });

  it('lets a fresh mfa session through an mfa route', async () => {
    const { guard, context } = setup({ authLevel: 'mfa' });
    await expect(
      guard.canActivate(context(AdminController, AdminController.prototype.setRoles)),
    ).resolves.toBe(true);
  });

  it("applies the method's maxAge over the controller's", async () => {
    const { guard, clock, context } = setup();
    clock.freeze(T0 + 2 * MINUTE);
    await expect(
      guard.canActivate(context(AdminController, AdminController.prototype.listUsers)),
    ).resolves.toBe(true);
    const error = await denial(
      guard.canActivate(context(AdminController, AdminController.prototype.disableUser)),
    );
    expect(error.getResponse()).toMatchObject({ reason: 'stale_authentication', maxAge: MINUTE });
    expect(error.headers['WWW-Authenticate']).toContain('max_age=60');

    clock.freeze(T0 + 61 * MINUTE);
    const classDenial = await denial(
      guard.canActivate(context(AdminController, AdminController.prototype.listUsers)),
    );
    expect(classDenial.getResponse()).toMatchObject({ maxAge: 60 * MINUTE });
  });

  it('ignores routes without @RequireFreshAuth(), however old the authentication', async () => {
    const { guard, clock, context } = setup();
    clock.freeze(T0 + 24 * 60 * MINUTE);
    await expect(
      guard.canActivate(context(PlainController, PlainController.prototype.profile)),
    ).resolves.toBe(true);
  });

  it('answers 401 session_required on a fresh-auth route without a session, even used alone', async () => {
    const { guard, clock, context, request } = setup();
    delete requestState(request).session;
    clock.freeze(T0 + 24 * 60 * MINUTE);
    await expect(
      guard.canActivate(context(PlainController, PlainController.prototype.changePassword)),
    ).rejects.toBeInstanceOf(SessionRequiredException);
  });

  it('lets a @Public() handler of a fresh-auth class through without a session (sign-in)', async () => {
    const { guard, context, request } = setup();
    delete requestState(request).session;
    await expect(
      guard.canActivate(context(AdminController, AdminController.prototype.signIn)),
    ).resolves.toBe(true);
  });

  it('judges RPC calls like HTTP requests: a stale session is refused', async () => {
    const { guard, clock, context } = setup();
    clock.freeze(T0 + 24 * 60 * MINUTE);
    const error = await denial(
      guard.canActivate(context(PlainController, PlainController.prototype.changePassword, 'rpc')),
    );
    expect(error.reason).toBe('stale_authentication');
  });

  it('denies a fresh-auth handler of a context type it cannot read', async () => {
    const { guard, context } = setup();
    await expect(
      guard.canActivate(
        context(PlainController, PlainController.prototype.changePassword, 'kafka-ish'),
      ),
    ).rejects.toBeInstanceOf(SessionRequiredException);
  });

  it('fails with a configuration error, not a 401, for a level missing from freshAuth.levels', async () => {
    const { guard, context } = setup({ authLevel: 'mfa' });
    await expect(
      guard.canActivate(context(AdminController, AdminController.prototype.misconfigured)),
    ).rejects.toThrow(FreshAuthConfigurationError);
  });

  it('records the denial as an access.denied event with its reason', async () => {
    const { guard, clock, context, emitted } = setup();
    clock.freeze(T0 + 6 * MINUTE);
    await denial(
      guard.canActivate(context(PlainController, PlainController.prototype.changePassword)),
    );
    expect(emitted).toEqual([
      expect.objectContaining({
        type: 'access.denied',
        userId: '1',
        sessionId: 'session-1',
        outcome: 'denied',
        details: { code: 'reauth_required', reason: 'stale_authentication' },
      }),
    ]);
  });

  it('lets a subclass customise the denial through onDenied', async () => {
    class CustomGuard extends FreshAuthGuard {
      protected override async onDenied(): Promise<never> {
        throw new Error('custom denial');
      }
    }
    const { clock, context } = setup();
    const custom = new CustomGuard(new Reflector(), clock, {
      freshAuth: { maxAgeMs: MINUTE, levels: ['password'] },
    } as unknown as ResolvedOptions);
    clock.freeze(T0 + 2 * MINUTE);
    await expect(
      custom.canActivate(context(PlainController, PlainController.prototype.changePassword)),
    ).rejects.toThrow('custom denial');
  });
});
