import { Reflector } from '@nestjs/core';
import type { PolicyHandlerLike } from './policy-handler.interface.js';

/**
 * Metadata of `@CheckPolicies()`, read by the `PolicyGuard`.
 *
 * @example reflector.getAllAndOverride(PolicyHandlers, [context.getHandler(), context.getClass()])
 */
export const PolicyHandlers = Reflector.createDecorator<PolicyHandlerLike[]>();

/**
 * Requires every handler to return `true` for the current user's ability; otherwise 403
 * `forbidden`. A method's `@CheckPolicies()` replaces its class's.
 *
 * @example
 * @CheckPolicies((ability) => ability.can('read', 'Report'))
 * @Get('reports')
 * list() {}
 */
export function CheckPolicies(...handlers: PolicyHandlerLike[]): MethodDecorator & ClassDecorator {
  if (handlers.length === 0) throw new Error('@CheckPolicies() needs at least one handler');
  return PolicyHandlers(handlers);
}
