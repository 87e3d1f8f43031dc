import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { SubjectLoader } from './policy-handler.interface.js';

/**
 * What `@Can()` requires.
 *
 * @example const requirement: CanRequirement = { action: 'update', subject: 'Article', load: ArticleLoader };
 */
export interface CanRequirement {
  action: string;
  subject: string;
  load?: Type<SubjectLoader>;
}

/**
 * Metadata of `@Can()`, read by the `PolicyGuard`.
 *
 * @example reflector.getAllAndOverride(CanMetadata, [context.getHandler(), context.getClass()])
 */
export const CanMetadata = Reflector.createDecorator<CanRequirement>();

/**
 * Requires the current user to be allowed `action` on `subject`. With `load`, the instance is
 * loaded (404 `not_found` when the loader returns `null`) and its conditions decide; without it,
 * the check is on the subject type and passes only if allowed on *every* instance — a conditional
 * rule such as "own articles only" never grants a type-level check.
 *
 * @example
 * @Can('update', 'Article', ArticleLoader)
 * @Patch('articles/:id')
 * update() {}
 */
export function Can(
  action: string,
  subject: string,
  load?: Type<SubjectLoader>,
): MethodDecorator & ClassDecorator {
  return CanMetadata({ action, subject, load });
}
