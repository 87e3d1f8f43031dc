import { Reflector } from '@nestjs/core';
import { parseDuration, type Duration } from '../common/duration.js';

/**
 * What `@RequireFreshAuth()` stores: the maximum age of the last authentication in milliseconds
 * (absent: the module's `freshAuth.maxAge`) and the minimum auth level (absent: any level).
 *
 * @example const requirement: FreshAuthMetadataValue = { maxAgeMs: 60_000, level: 'mfa' };
 */
export interface FreshAuthMetadataValue {
  maxAgeMs?: number;
  level?: string;
}

/**
 * The object form of `@RequireFreshAuth()`.
 *
 * @example @RequireFreshAuth({ maxAge: '2m', level: 'mfa' })
 */
export interface RequireFreshAuthOptions {
  /** How long ago the session may have last authenticated (default: `freshAuth.maxAge`). */
  maxAge?: Duration;
  /** The weakest auth level accepted, one of the module's `freshAuth.levels`. */
  level?: string;
}

/**
 * Metadata of `@RequireFreshAuth()`, read by the `FreshAuthGuard`. Prefer the decorator; this is
 * for guards and tests that read the requirement.
 *
 * @example reflector.getAllAndOverride(FreshAuthMetadata, [context.getHandler(), context.getClass()])
 */
export const FreshAuthMetadata = Reflector.createDecorator<FreshAuthMetadataValue>();

const NAME = '@RequireFreshAuth()';
const OPTION_KEYS = new Set(['maxAge', 'level']);

/**
 * Requires the session to have authenticated recently (and, with `level`, strongly enough) before
 * the route runs; otherwise the `FreshAuthGuard` answers 401 `reauth_required`. On a controller it
 * covers every route; a method's own `@RequireFreshAuth()` replaces the controller's. A bad
 * duration throws when the class is loaded, not on the first request. Levels are checked against
 * `freshAuth.levels` when a request is decided.
 *
 * @example
 * @RequireFreshAuth('1h')
 * @Controller('admin')
 * export class AdminController {
 *   @RequireFreshAuth('2m', { level: 'mfa' })
 *   @Post('users/:id/disable')
 *   disable() {}
 *
 *   @RequireFreshAuth({ level: 'mfa' }) // maxAge from the module's freshAuth.maxAge
 *   @Put('users/:id/roles')
 *   setRoles() {}
 * }
 */
export function RequireFreshAuth(
  options?: RequireFreshAuthOptions,
): MethodDecorator & ClassDecorator;
export function RequireFreshAuth(
  maxAge?: Duration,
  options?: { level?: string },
): MethodDecorator & ClassDecorator;
export function RequireFreshAuth(
  first?: Duration | RequireFreshAuthOptions,
  second?: { level?: string },
): MethodDecorator & ClassDecorator {
  const options: RequireFreshAuthOptions =
    typeof first === 'object' && first !== null
      ? checkKeys(first, OPTION_KEYS)
      : { maxAge: first, ...checkKeys(second ?? {}, new Set(['level'])) };
  const value: FreshAuthMetadataValue = {};
  if (options.maxAge !== undefined) {
    value.maxAgeMs = parseDuration(options.maxAge, `${NAME} maxAge`);
  }
  if (options.level !== undefined) {
    if (typeof options.level !== 'string' || options.level.trim() === '') {
      throw new TypeError(
        `${NAME} level: must be a non-empty string, got ${String(options.level)}`,
      );
    }
    value.level = options.level;
  }
  return FreshAuthMetadata(value);
}

function checkKeys<T extends object>(options: T, allowed: Set<string>): T {
  const unknown = Object.keys(options).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `${NAME}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} ` +
        `(allowed: ${[...allowed].join(', ')})`,
    );
  }
  return options;
}
