import {
  Inject,
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { subject as tagSubject, detectSubjectType } from '@casl/ability';
import { Clock } from '../common/clock.js';
import {
  ForbiddenException,
  SessionRequiredException,
} from '../errors/session-security.exception.js';
import { denialEvent } from '../http/denial-event.js';
import { SessionEvents } from '../session/session-events.js';
import { requestState } from '../session/request-state.js';
import './policy-request-state.js';
import type { ActiveSession } from '../session/session.types.js';
import { resolveCall, type GuardedCall } from '../surfaces/guarded-call.js';
import { guardOnSurface } from '../surfaces/surface-reply.js';
import { CanMetadata, type CanRequirement } from './can.decorator.js';
import { PolicyHandlers } from './check-policies.decorator.js';
import { requestIdOf } from './decision-log.js';
import { DecisionLog } from './decision-log.service.js';
import { countryOf } from '../network/country-of.js';
import { GeoResolver } from './geo-resolver.interface.js';
import type {
  PolicyHandler,
  PolicyHandlerFn,
  PolicyHandlerLike,
  SubjectLoader,
} from './policy-handler.interface.js';
import type { FailedWhen, PolicyDecision } from './policy-decision.types.js';
import type { PolicyEvaluation } from './policy-evaluation.js';
import { PolicyService } from './policy.service.js';
import type { PolicyAbility, PolicyContext, PolicyUser } from './policy.types.js';
import { SubjectNotFoundException } from './subject-not-found.exception.js';

/**
 * Enforces `@Can()` and `@CheckPolicies()` on every surface (HTTP, GraphQL queries, mutations
 * and field resolvers, WebSocket messages, RPC); handlers without them pass untouched. Runs after
 * the session guard: it reads the session and client address from the call's state, builds the
 * policy context once, stores the ability on the call's state (`@CurrentAbility()`), and denies
 * with 403 `forbidden` plus a `reason` when the policy gives one. Without a session the user has
 * no roles, so every check is denied (the session guard owns 401). Subject loaders and handlers
 * get the call's request-like object (the HTTP request, the WebSocket client, the RPC context)
 * and the `ExecutionContext`, so a GraphQL loader can read its arguments.
 *
 * @example
 * @UseGuards(SessionGuard, PolicyGuard)
 * @Can('update', 'Article', ArticleLoader)
 * @Patch(':id')
 * update() {}
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly instances = new Map<Type<unknown>, Promise<unknown>>();

  constructor(
    protected readonly policy: PolicyService,
    protected readonly reflector: Reflector,
    protected readonly moduleRef: ModuleRef,
    @Inject(Clock) protected readonly clock: Clock,
    @Optional() @Inject(GeoResolver) protected readonly geo?: GeoResolver,
    @Optional() protected readonly events?: SessionEvents,
    @Optional() protected readonly decisions?: DecisionLog,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return guardOnSurface(context, () => this.check(context));
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const requirement = this.reflector.getAllAndOverride(CanMetadata, targets);
    const handlers = this.reflector.getAllAndOverride(PolicyHandlers, targets);
    if (!requirement && !handlers?.length) return true;
    const call = resolveCall(context);
    if (!call) throw new SessionRequiredException();
    const request = call.carrier;
    const state = requestState(request);
    const evaluation = this.policy.evaluate(
      this.getUser(state.session),
      await this.getContext(call, state.session),
    );
    state.ability = evaluation.ability;
    if (requirement) {
      const decision = await this.checkRequirement(requirement, call, context, evaluation);
      if (!decision.allowed) {
        const checked = state.policySubject ?? requirement.subject;
        await this.onDenied(call, decision.reason, {
          action: requirement.action,
          subject: requirement.subject,
          rule: decision.decidingRule?.id ?? null,
          failedWhen: evaluation.explain(requirement.action, checked).failedWhen,
        });
      }
      if (this.decisions?.enabled) {
        const checked = state.policySubject ?? requirement.subject;
        this.logAllowed(call, requirement.action, checked, decision.decidingRule?.id ?? null);
      }
    }
    if (handlers?.length) {
      const passes = (ability: PolicyAbility) =>
        this.runHandlers(handlers, ability, request, context);
      if (!(await passes(evaluation.ability))) {
        await this.onDenied(call, await evaluation.whenReason(passes), { action: 'handlers' });
      }
      if (this.decisions?.enabled) this.logAllowed(call, 'handlers', 'handlers', null);
    }
    return true;
  }

  /** Hands an allowed decision to the decision log (only called when it is on). */
  private logAllowed(
    call: GuardedCall,
    action: string,
    checked: object | string,
    rule: string | null,
  ): void {
    const state = requestState(call.carrier);
    const id = typeof checked === 'object' ? (checked as { id?: unknown }).id : undefined;
    this.decisions!.allowed({
      at: this.clock.now(),
      userId: state.session?.userId ?? null,
      sessionId: state.session?.id ?? null,
      action,
      subjectType: typeof checked === 'string' ? checked : subjectTypeOf(checked),
      subjectId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
      outcome: 'allow',
      rule,
      policyVersion: this.policy.version,
      requestId: requestIdOf(call.headers, (call.request as { id?: unknown } | undefined)?.id),
    });
  }

  /** The principal of the session; no session means no roles. */
  protected getUser(session: ActiveSession | undefined): PolicyUser {
    if (!session) return { id: '', roles: [], tenantId: null };
    return { id: session.userId, roles: session.roles, tenantId: session.tenantId };
  }

  /** Builds the request context once: time, client address, country (only if rules use it). */
  protected async getContext(
    call: GuardedCall,
    session: ActiveSession | undefined,
  ): Promise<PolicyContext> {
    const ip = requestState(call.carrier).clientIp || call.peerAddress || '';
    const request = call.request ?? { headers: call.headers };
    return {
      now: this.clock.now(),
      ip,
      country: this.policy.usesCountry ? await this.getCountry(request, ip) : null,
      authLevel: session?.authLevel ?? null,
      sessionCreatedAt: session?.createdAt ?? null,
      authenticatedAt: session?.authenticatedAt ?? null,
      remembered: session ? session.kind === 'remembered' : null,
      impersonated: session ? session.kind === 'impersonation' : null,
    };
  }

  /**
   * Records the denial (deciding rule, policy version, reason, the `when` blocks that failed) and
   * throws the 403; override to change it.
   */
  protected async onDenied(
    call: GuardedCall,
    reason: string | null,
    details: { action: string; subject?: string; rule?: string | null; failedWhen?: FailedWhen[] },
  ): Promise<never> {
    await this.events?.emit(
      denialEvent(
        call,
        'policy.denied',
        {
          reason,
          rule: details.rule ?? null,
          policyVersion: this.policy.version,
          failedWhen: details.failedWhen ?? [],
        },
        { action: details.action, resource: details.subject },
      ),
    );
    throw new ForbiddenException(reason ?? undefined);
  }

  private getCountry(request: object, ip: string): Promise<string | null> {
    return countryOf(this.policy.geoResolver ?? this.geo, request, ip);
  }

  private async checkRequirement(
    { action, subject, load }: CanRequirement,
    call: GuardedCall,
    context: ExecutionContext,
    evaluation: PolicyEvaluation,
  ): Promise<PolicyDecision> {
    if (!load) return evaluation.check(action, subject);
    const possible = evaluation.checkAny(action, subject);
    if (!possible.allowed) return possible;
    const request = call.carrier;
    const instance = await (await this.resolve<SubjectLoader>(load)).load(request, context);
    if (instance === null || instance === undefined) {
      throw new SubjectNotFoundException(`${subject} not found`);
    }
    const tagged = asSubject(subject, instance);
    requestState(request).policySubject = tagged;
    return evaluation.check(action, tagged);
  }

  private async runHandlers(
    handlers: PolicyHandlerLike[],
    ability: PolicyAbility,
    request: object,
    context: ExecutionContext,
  ): Promise<boolean> {
    for (const handler of handlers) {
      const result = isHandlerClass(handler)
        ? (await this.resolve<PolicyHandler>(handler)).handle(ability, request, context)
        : typeof handler === 'function'
          ? (handler as PolicyHandlerFn)(ability, request, context)
          : handler.handle(ability, request, context);
      if ((await result) !== true) return false;
    }
    return true;
  }

  private resolve<T>(type: Type<T>): Promise<T> {
    const cached = this.instances.get(type) as Promise<T> | undefined;
    if (cached) return cached;
    const created = (async (): Promise<T> => {
      try {
        return this.moduleRef.get<T>(type, { strict: false });
      } catch {
        return this.moduleRef.create<T>(type);
      }
    })();
    created.catch(() => this.instances.delete(type));
    this.instances.set(type, created);
    return created;
  }
}

function isHandlerClass(handler: PolicyHandlerLike): handler is Type<PolicyHandler> {
  return (
    typeof handler === 'function' &&
    typeof (handler as { prototype?: { handle?: unknown } }).prototype?.handle === 'function'
  );
}

function subjectTypeOf(instance: object): string {
  const type = detectSubjectType(instance as never) as unknown;
  return typeof type === 'function' ? (type as { name: string }).name : String(type);
}

/** Marks a loaded instance with its subject type unless CASL already detects that type. */
function asSubject(type: string, instance: object): object {
  if (detectSubjectType(instance as never) === type) return instance;
  const target = Object.isExtensible(instance) ? instance : { ...instance };
  return tagSubject(type, target as Record<string, unknown>);
}
