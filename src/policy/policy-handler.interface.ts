import type { ExecutionContext, Type } from '@nestjs/common';
import type { PolicyAbility } from './policy.types.js';

/**
 * A policy check as a function: `true` allows.
 *
 * @example const canReadReports: PolicyHandlerFn = (ability) => ability.can('read', 'Report');
 */
export type PolicyHandlerFn = (
  ability: PolicyAbility,
  request: any,
  context: ExecutionContext,
) => boolean | Promise<boolean>;

/**
 * A policy check as an object; as a class it is resolved through DI, so it can inject services.
 *
 * @example
 * @Injectable()
 * class CanPublish implements PolicyHandler {
 *   handle(ability: PolicyAbility) { return ability.can('publish', 'Article'); }
 * }
 */
export interface PolicyHandler {
  handle(
    ability: PolicyAbility,
    request: any,
    context: ExecutionContext,
  ): boolean | Promise<boolean>;
}

/**
 * Anything `@CheckPolicies()` accepts: a function, a handler object, or a handler class.
 *
 * @example @CheckPolicies((ability) => ability.can('read', 'Report'), CanPublish)
 */
export type PolicyHandlerLike = PolicyHandlerFn | PolicyHandler | Type<PolicyHandler>;

/**
 * Loads the instance a `@Can()` check is about, e.g. the article of `PATCH /articles/:id`, so its
 * conditions are evaluated. Register it as a provider; `null` means "not found" (404). It gets
 * the call's request-like object (the HTTP request, the WebSocket client, the RPC context) and
 * the `ExecutionContext`: a GraphQL loader reads its arguments from `context.getArgs()[1]`.
 *
 * @example
 * @Injectable()
 * class ArticleLoader implements SubjectLoader {
 *   constructor(private readonly articles: ArticlesService) {}
 *   load(request: Request) { return this.articles.findById(request.params.id); }
 * }
 */
export interface SubjectLoader {
  load(request: any, context: ExecutionContext): Promise<object | null> | object | null;
}
