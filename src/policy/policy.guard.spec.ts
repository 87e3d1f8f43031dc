import type { ExecutionContext, Type } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ForbiddenException } from '../errors/session-security.exception.js';
import { requestState } from '../session/request-state.js';
import type { ActiveSession } from '../session/session.types.js';
import { ManualClock } from '../testing/manual-clock.js';
import { Can } from './can.decorator.js';
import { CheckPolicies } from './check-policies.decorator.js';
import type { GeoResolver } from './geo-resolver.interface.js';
import { createPolicyConfig } from './policy-config.js';
import type { PolicyHandler, SubjectLoader } from './policy-handler.interface.js';
import { PolicyGuard } from './policy.guard.js';
import { PolicyService } from './policy.service.js';
import type { PolicyAbility, PolicyDocument } from './policy.types.js';
import { SubjectNotFoundException } from './subject-not-found.exception.js';

const ARTICLES: Record<string, { id: string; authorId: string }> = {
  '1': { id: '1', authorId: '2' },
  '3': { id: '3', authorId: '1' },
};
let loads = 0;

class ArticleLoader implements SubjectLoader {
  load(request: { params: { id: string } }) {
    loads++;
    return Promise.resolve(ARTICLES[request.params.id] ? { ...ARTICLES[request.params.id] } : null);
  }
}

class CanReadReports implements PolicyHandler {
  handle(ability: PolicyAbility) {
    return ability.can('read', 'Report');
  }
}

class ArticlesController {
  @Can('update', 'Article', ArticleLoader)
  update() {}

  @Can('update', 'Article')
  updateWithoutLoader() {}

  @CheckPolicies(CanReadReports)
  reports() {}

  @CheckPolicies((ability) => ability.can('read', 'Country'))
  country() {}

  open() {}
}

@Can('read', 'Article')
class ReadOnlyController {
  list() {}

  @Can('publish', 'Article')
  publish() {}
}

const DOCUMENT: PolicyDocument = {
  roles: {
    admin: [{ action: 'manage', subject: 'all' }],
    editor: [
      { action: ['read', 'update'], subject: 'Article', conditions: { authorId: '${user.id}' } },
      { action: 'read', subject: 'Article' },
      {
        action: 'read',
        subject: 'Report',
        when: { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
      },
      { action: 'read', subject: 'Country', when: { country: ['DE'] } },
    ],
    viewer: [{ action: 'read', subject: 'Article' }],
  },
};

const session = (userId: string, roles: string[]): ActiveSession => ({
  id: 's-' + userId,
  userId,
  tenantId: null,
  roles,
  authzVersion: 1,
  createdAt: 0,
  lastSeenAt: 0,
  idleExpiresAt: 0,
  absoluteExpiresAt: 0,
  authenticatedAt: 0,
  authLevel: 'password',
  ip: null,
  userAgent: null,
  data: {},
  reauthRequiredAt: null,
  kind: 'standard',
  tokenIssuedAt: null,
  reauthenticatedAt: null,
  fingerprint: null,
  suspiciousChangeAt: null,
});

function setup(geo?: GeoResolver) {
  const clock = new ManualClock();
  clock.freeze(Date.parse('2026-03-27T11:00:00Z')); // Friday 12:00 in Berlin
  const moduleRef = {
    get: (type: Type<unknown>) => {
      if (type === ArticleLoader) return new ArticleLoader();
      throw new Error('not a provider');
    },
    create: (type: Type<unknown>) => Promise.resolve(new type()),
  } as unknown as ModuleRef;
  const policy = new PolicyService(createPolicyConfig({ document: DOCUMENT }));
  const guard = new PolicyGuard(policy, new Reflector(), moduleRef, clock, geo);
  const run = async (
    controller: Type<unknown>,
    method: string,
    who: ActiveSession | undefined,
    params: Record<string, string> = {},
  ) => {
    const request = { params, headers: {}, socket: { remoteAddress: '10.0.0.1' } };
    if (who) requestState(request).session = who;
    requestState(request).clientIp = '203.0.113.9';
    const context = {
      getType: () => 'http',
      getArgs: () => [request, {}],
      getHandler: () => (controller.prototype as Record<string, unknown>)[method],
      getClass: () => controller,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
    } as unknown as ExecutionContext;
    return { allowed: await guard.canActivate(context), request };
  };
  return { run, clock };
}

const denial = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as ForbiddenException;
  }
  throw new Error('expected a denial');
};

describe('PolicyGuard', () => {
  const bob = session('2', ['editor']);
  const carol = session('3', ['viewer']);
  const alice = session('1', ['admin']);

  it('lets routes without policy metadata through untouched', async () => {
    const { run } = setup();
    const { allowed, request } = await run(ArticlesController, 'open', undefined);
    expect(allowed).toBe(true);
    expect(requestState(request).ability).toBeUndefined();
  });

  it('allows an owner to update their article, with the instance loaded', async () => {
    const { run } = setup();
    const { allowed, request } = await run(ArticlesController, 'update', bob, { id: '1' });
    expect(allowed).toBe(true);
    expect(requestState(request).ability).toBeDefined();
    expect(requestState(request).policySubject).toMatchObject({ id: '1', authorId: '2' });
  });

  it("denies an editor another author's article with 403 forbidden", async () => {
    const { run } = setup();
    const error = await denial(run(ArticlesController, 'update', bob, { id: '3' }));
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.getStatus()).toBe(403);
    expect(error.getResponse()).toMatchObject({ statusCode: 403, error: 'forbidden' });
  });

  it('lets an admin update any article', async () => {
    const { run } = setup();
    expect((await run(ArticlesController, 'update', alice, { id: '3' })).allowed).toBe(true);
  });

  it('denies a viewer before loading anything', async () => {
    const { run } = setup();
    const before = loads;
    await expect(run(ArticlesController, 'update', carol, { id: '1' })).rejects.toBeInstanceOf(
      ForbiddenException,
    );
    expect(loads).toBe(before);
  });

  it('answers 404 not_found when the loader finds nothing', async () => {
    const { run } = setup();
    const error = await denial(run(ArticlesController, 'update', bob, { id: '404' }));
    expect(error).toBeInstanceOf(SubjectNotFoundException);
    expect(error.getResponse()).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Article not found',
    });
  });

  it('never lets a conditional rule pass a subject-type check', async () => {
    const { run } = setup();
    await expect(run(ArticlesController, 'updateWithoutLoader', bob)).rejects.toBeInstanceOf(
      ForbiddenException,
    );
    expect((await run(ArticlesController, 'updateWithoutLoader', alice)).allowed).toBe(true);
  });

  it('runs handler classes and says why the hours window denied', async () => {
    const { run, clock } = setup();
    expect((await run(ArticlesController, 'reports', bob)).allowed).toBe(true);
    clock.freeze(Date.parse('2026-03-28T22:00:00Z'));
    const error = await denial(run(ArticlesController, 'reports', bob));
    expect(error.getResponse()).toMatchObject({
      error: 'forbidden',
      reason: 'outside_allowed_hours',
    });
  });

  it('asks the geo resolver only because a rule needs the country', async () => {
    const seen: string[] = [];
    const geo: GeoResolver = {
      resolve: (_request, ip) => {
        seen.push(ip);
        return Promise.resolve('FR');
      },
    };
    const { run } = setup(geo);
    const error = await denial(run(ArticlesController, 'country', bob));
    expect(error.getResponse()).toMatchObject({ reason: 'country_not_allowed' });
    expect(seen).toEqual(['203.0.113.9']);
  });

  it('prefers the method setting over the class setting', async () => {
    const { run } = setup();
    expect((await run(ReadOnlyController, 'list', carol)).allowed).toBe(true);
    await expect(run(ReadOnlyController, 'publish', carol)).rejects.toBeInstanceOf(
      ForbiddenException,
    );
  });

  it('denies policy-guarded routes without a session (no roles) instead of answering 401', async () => {
    const { run } = setup();
    const error = await denial(run(ReadOnlyController, 'list', undefined));
    expect(error.getStatus()).toBe(403);
  });
});
