import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestState } from '../session/request-state.js';
import type { ActiveSession } from '../session/session.types.js';
import { resolveCall } from '../surfaces/guarded-call.js';

/** The session the guards validated for this call, on any surface. */
export function sessionOfCall(context: ExecutionContext): ActiveSession | undefined {
  const call = resolveCall(context);
  return call ? requestState(call.carrier).session : undefined;
}

/**
 * Injects the validated {@link ActiveSession} of the call — an HTTP request, a GraphQL operation,
 * a WebSocket message or an RPC message (`undefined` on a public handler without one).
 *
 * @example @Get('me') me(@CurrentSession() session: ActiveSession) {}
 */
export const CurrentSession = createParamDecorator((_: unknown, context: ExecutionContext) =>
  sessionOfCall(context),
);

/**
 * Injects `{ id, roles, tenantId }` of the session's user.
 *
 * @example @Get('me') me(@CurrentUser() user: { id: string }) {}
 */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const session = sessionOfCall(context);
  return session
    ? { id: session.userId, roles: session.roles, tenantId: session.tenantId }
    : undefined;
});
