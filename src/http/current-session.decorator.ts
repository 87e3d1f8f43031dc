import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestState } from '../session/request-state.js';

/**
 * Injects the validated {@link ActiveSession} of the request (`undefined` on a public route
 * without one).
 *
 * @example @Get('me') me(@CurrentSession() session: ActiveSession) {}
 */
export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    requestState(context.switchToHttp().getRequest()).session,
);

/**
 * Injects `{ id, roles, tenantId }` of the session's user.
 *
 * @example @Get('me') me(@CurrentUser() user: { id: string }) {}
 */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const session = requestState(context.switchToHttp().getRequest()).session;
  return session
    ? { id: session.userId, roles: session.roles, tenantId: session.tenantId }
    : undefined;
});
