import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestState } from '../session/request-state.js';

/**
 * Injects the CASL ability the `PolicyGuard` built for this request (`undefined` on routes
 * without `@Can` / `@CheckPolicies`).
 *
 * @example
 * @Get('articles')
 * list(@CurrentAbility() ability: PolicyAbility) { return articles.filter((a) => ability.can('read', a)); }
 */
export const CurrentAbility = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    requestState(context.switchToHttp().getRequest()).ability,
);
