import { Reflector } from '@nestjs/core';

/**
 * Refuses a route (or every route of a controller) to impersonation sessions: the session guard
 * answers 403 `forbidden` with `reason: "impersonation"` before the handler runs. Routes under
 * `@RequireFreshAuth()` are refused to them already; put this on what an impersonator must not
 * do or see without fresh authentication (admin pages, reporting a session).
 *
 * @example @RefuseImpersonation() @Controller('admin/audit') export class AdminAuditController {}
 */
export const RefuseImpersonation = Reflector.createDecorator<boolean>({
  transform: () => true,
});
