import { Reflector, type ModuleRef } from '@nestjs/core';
import { contextOf } from '../../test/support/fake-execution-context.js';
import { CsrfGuard } from '../csrf/csrf.guard.js';
import type { CsrfService } from '../csrf/csrf.service.js';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { FreshAuthGuard } from '../fresh-auth/fresh-auth.guard.js';
import { RequireFreshAuth } from '../fresh-auth/require-fresh-auth.decorator.js';
import { AllowPendingReauth, Public } from '../http/public.decorator.js';
import { SessionGuard } from '../http/session.guard.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { Can } from '../policy/can.decorator.js';
import { createPolicyConfig } from '../policy/policy-config.js';
import { PolicyGuard } from '../policy/policy.guard.js';
import { PolicyService } from '../policy/policy.service.js';
import { SessionEvents, type SessionEvent } from '../session/session-events.js';
import type { SessionService, SessionValidation } from '../session/session.service.js';
import type { ActiveSession } from '../session/session.types.js';
import { ManualClock } from '../testing/manual-clock.js';
import { SurfaceGraphqlError } from './surface-reply.js';

class Handlers {
  @RequireFreshAuth('5m')
  @Can('read', 'Report')
  guarded() {}

  @Public()
  @RequireFreshAuth('5m')
  @Can('read', 'Report')
  open() {}

  @AllowPendingReauth()
  reauth() {}

  plain() {}
}

@AllowPendingReauth()
class PendingReauthHandlers {
  other() {}
}

const SESSION = { id: 's1', userId: 'u1', roles: ['editor'], authLevel: 'password' };

function setup(
  options: { rpcToken?: (data: unknown) => unknown; validation?: SessionValidation } = {},
) {
  const clock = new ManualClock();
  const reflector = new Reflector();
  const events = new SessionEvents();
  const emitted: SessionEvent[] = [];
  events.on((event) => void emitted.push(event));
  const resolved = {
    cookie: { name: '__Host-t' },
    csrf: { allowedOrigins: new Set(), headerName: 'x-csrf-token', jsonOnly: true },
    freshAuth: { maxAgeMs: 300_000, levels: ['password'] },
    trustProxy: { has: () => false, contains: () => false },
    allowBearer: false,
    surfaces: { rpcToken: options.rpcToken ?? null },
  } as unknown as ResolvedOptions;
  const sessions = {
    validate: async (): Promise<SessionValidation> =>
      options.validation ?? { ok: false, code: 'session_required' },
  } as unknown as SessionService;
  const policy = new PolicyService(
    createPolicyConfig({
      document: { roles: { editor: [{ action: 'read', subject: 'Report' }] } },
    }),
  );
  const guards = {
    session: new SessionGuard(sessions, reflector, events, resolved),
    csrf: new CsrfGuard(
      { verify: () => false } as unknown as CsrfService,
      events,
      reflector,
      resolved,
    ),
    freshAuth: new FreshAuthGuard(reflector, clock, resolved, events),
    policy: new PolicyGuard(policy, reflector, {} as ModuleRef, clock),
  };
  return { guards, emitted };
}

const on = (type: string, args: unknown[], method: keyof Handlers) =>
  contextOf(type, args, { handler: Handlers.prototype[method], cls: Handlers });
const outcome = (result: Promise<boolean>) =>
  result.then(
    (allowed) => (allowed ? 'allowed' : 'refused'),
    (error: unknown) => {
      if (error instanceof SessionSecurityException) return error.code;
      // On GraphQL the guards throw the GraphQL-shaped denial (code in extensions).
      if (error instanceof SurfaceGraphqlError) return String(error.extensions.code);
      return String(error);
    },
  );

describe('deny by default on a surface the module cannot read', () => {
  it.each(['kafka-ish', 'grpc-stream'])(
    'each of the four guards denies a %s context',
    async (type) => {
      const { guards, emitted } = setup();
      const context = on(type, [{ headers: {} }, {}], 'guarded');
      for (const guard of Object.values(guards)) {
        expect(await outcome(guard.canActivate(context))).toBe('session_required');
      }
      expect(emitted[0]).toMatchObject({
        type: 'access.denied',
        outcome: 'denied',
        action: 'unknown surface',
        details: { code: 'session_required', surface: 'unknown' },
      });
    },
  );

  it('lets @Public() through the session, CSRF and fresh-auth guards, never past a policy', async () => {
    const { guards } = setup();
    const context = on('kafka-ish', [{}], 'open');
    expect(await outcome(guards.session.canActivate(context))).toBe('allowed');
    expect(await outcome(guards.csrf.canActivate(context))).toBe('allowed');
    // A public handler has no session to judge (e.g. the login route under a class-level
    // @RequireFreshAuth); a policy requirement still needs a principal.
    expect(await outcome(guards.freshAuth.canActivate(context))).toBe('allowed');
    expect(await outcome(guards.policy.canActivate(context))).toBe('session_required');
  });

  it('denies a GraphQL context without its request and a WebSocket without its handshake', async () => {
    const { guards } = setup();
    for (const context of [
      on('graphql', [{}, {}, {}, { fieldName: 'secret' }], 'plain'),
      on('ws', [{ send() {} }, {}, 'whoami'], 'plain'),
    ]) {
      expect(await outcome(guards.session.canActivate(context))).toBe('session_required');
      expect(await outcome(guards.csrf.canActivate(context))).toBe('session_required');
    }
  });

  it('denies RPC when the app supplied no extractor, or its extractor throws on the message', async () => {
    const message = [{ sessionToken: 'x' }, { getPattern: () => 'whoami' }];
    expect(await outcome(setup().guards.session.canActivate(on('rpc', message, 'plain')))).toBe(
      'session_required',
    );
    const throwing = setup({
      rpcToken: (data) => (data as { auth: { token: string } }).auth.token,
    });
    expect(await outcome(throwing.guards.session.canActivate(on('rpc', message, 'plain')))).toBe(
      'session_required',
    );
    expect(await outcome(throwing.guards.session.canActivate(on('rpc', message, 'open')))).toBe(
      'allowed',
    );
  });
});

describe('@AllowPendingReauth()', () => {
  const pending = setup({
    rpcToken: () => 'token',
    validation: {
      ok: true,
      session: SESSION as unknown as ActiveSession,
      tokenHash: 'h',
      reauth: 'permissions_changed',
    },
  });
  const message = () => [{}, { getPattern: () => 'x' }];

  it('opens only the method it is on to a session that must re-authenticate', async () => {
    const { session } = pending.guards;
    expect(await outcome(session.canActivate(on('rpc', message(), 'reauth')))).toBe('allowed');
    expect(await outcome(session.canActivate(on('rpc', message(), 'plain')))).toBe(
      'reauth_required',
    );
  });

  it('opens nothing when put on a class', async () => {
    const context = contextOf('rpc', message(), {
      handler: PendingReauthHandlers.prototype.other,
      cls: PendingReauthHandlers,
    });
    expect(await outcome(pending.guards.session.canActivate(context))).toBe('reauth_required');
  });
});
