import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestState } from '../session/request-state.js';
import './policy-request-state.js';
import { resolveCall } from '../surfaces/guarded-call.js';

/**
 * Injects the CASL ability the `PolicyGuard` built for this call (`undefined` on handlers
 * without `@Can` / `@CheckPolicies`).
 *
 * @example
 * @Get('articles')
 * list(@CurrentAbility() ability: PolicyAbility) { return articles.filter((a) => ability.can('read', a)); }
 */
export const CurrentAbility = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const call = resolveCall(context);
  return call ? requestState(call.carrier).ability : undefined;
});
