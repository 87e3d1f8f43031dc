// The public API of nestjs-session-security: every name here is exported on purpose, and
// test/public-api.e2e-spec.ts lists them, so adding or removing one is a deliberate change.
// Optional integrations live behind subpaths, so their packages stay optional peers:
// `nestjs-session-security/surfaces`, `/websocket`, `/socket-io`, `/queue-dashboard`,
// `/passport`, `/cli`, the policy tooling under `/policy-tools`, and the test helpers under
// `/testing`.

// Setting the module up: the app's root module, its options and its DataSource's schema.
export { SessionSecurityModule } from './session-security.module.js';
export type { SessionSecurityExtras } from './session-security.module-definition.js';
export type { BulkRevocationOptions } from './revocation/bulk/bulk-revocation.options.js';
export type { NotificationModuleOptions } from './notifications/notification-options.js';
export type { SessionSecurityModuleOptions } from './module-options/session-security-options.interface.js';
export { SessionSecurityOptionsError } from './options/options-error.js';
export type { RedisSource } from './common/redis-clients.js';
export { sessionSecurityEntities, sessionSecurityMigrations } from './schema.js';
export { Clock } from './common/clock.js';
export { parseDuration } from './common/duration.js';
export type { Duration } from './common/duration.js';

// Services an app injects.
export { SessionService, AccountDisabledError } from './session/session.service.js';
export { SessionLogin } from './login/session-login.service.js';
export { ImpersonationService } from './impersonation/impersonation.service.js';
export { RevocationService } from './revocation/revocation.service.js';
export { BulkRevocationService } from './revocation/bulk/bulk-revocation.service.js';
export { LoginThrottleService } from './throttle/login-throttle.service.js';
export { CsrfService } from './csrf/csrf.service.js';
export { SessionSecurityHealth } from './health/session-security-health.service.js';
export { LiveConnections } from './live/live-connections.service.js';
export { SessionEvents } from './session/session-events.js';

// Types an app writes against: the session, the user directory it implements, the events.
export type { ActiveSession, Impersonator, SessionPrincipal } from './session/session.types.js';
export type { SessionKind } from './session/session-kind.js';
export type { SessionUserDirectory } from './session/session-user-directory.interface.js';
export type {
  SessionEvent,
  SessionEventDetails,
  SessionEventType,
} from './session/session-events.js';

// Controllers and handlers: decorators, guards for `@UseGuards`, the cookie and the request state.
export { SessionGuard } from './http/session.guard.js';
export { Public, AllowPendingReauth } from './http/public.decorator.js';
export { RefuseImpersonation } from './http/refuse-impersonation.decorator.js';
export { CurrentSession, CurrentUser } from './http/current-session.decorator.js';
export { SessionCookieInterceptor } from './http/session-cookie.interceptor.js';
export { HttpErrorFilter } from './http/http-error.filter.js';
export { CsrfGuard } from './csrf/csrf.guard.js';
export { setSessionCookie, clearSessionCookie } from './session/session-cookie.js';
export { requestState } from './session/request-state.js';
export { endWithSession } from './live/end-with-session.operator.js';
export { SessionRevocationsController } from './revocation/bulk/session-revocations.controller.js';

// Re-authentication.
export { RequireFreshAuth } from './fresh-auth/require-fresh-auth.decorator.js';
export { FreshAuthGuard } from './fresh-auth/fresh-auth.guard.js';
export { decideFreshAuth, FreshAuthConfigurationError } from './fresh-auth/fresh-auth-decision.js';

// Policies: the guard and decorators, the policy document, the hooks an app may supply.
export { PolicyService } from './policy/policy.service.js';
export { PolicyGuard } from './policy/policy.guard.js';
export { Can } from './policy/can.decorator.js';
export { CheckPolicies } from './policy/check-policies.decorator.js';
export { CurrentAbility } from './policy/current-ability.decorator.js';
export { GeoResolver } from './policy/geo-resolver.interface.js';
export { HeaderGeoResolver } from './policy/header-geo-resolver.js';
export type { SubjectLoader, PolicyHandler } from './policy/policy-handler.interface.js';
export type {
  PolicyDocument,
  PolicyAbility,
  PolicyUser,
  PolicyContext,
  DefineAbilityHook,
} from './policy/policy.types.js';
export { PolicyEvaluation } from './policy/policy-evaluation.js';
export type { PolicyExplanation } from './policy/policy-decision.types.js';
export { PolicyValidationError } from './policy/policy-validation.error.js';

// Errors an app throws (login, input) or catches; every denial carries an `ErrorCode`.
export {
  SessionSecurityException,
  ReauthRequiredException,
  InvalidCredentialsException,
  InvalidRequestException,
  TooManySessionsException,
} from './errors/session-security.exception.js';
export type { ErrorCode, RevokedReason } from './errors/denial-codes.js';
export { DatabaseUnavailableException } from './errors/database-unavailable.js';
export { UnattributablePermissionChangeError } from './permission-changes/permission-change.watcher.js';

// Audit log: the service, its retention and the job an app or a scheduler runs.
export { AuditService } from './audit/audit.service.js';
export { AuditDetailsError } from './audit/audit-details-guard.js';
export type { AuditEventType } from './audit/audit-event.types.js';
export { AuditRetentionService, AuditChainBrokenError } from './audit/audit-retention.service.js';
export { AuditRetentionJob } from './audit/audit-retention.job.js';
export {
  AUDIT_RETENTION_SCHEDULE,
  type AuditRetentionSchedule,
} from './audit/audit-retention.schedule.js';

// Notifications: the services, the channels an app registers or implements, the schema.
export { NotificationService } from './notifications/notification.service.js';
export { NotificationBatchService } from './notifications/notification-batch.service.js';
export { NotificationChannel } from './notifications/notification-channel.interface.js';
export { InAppChannel } from './notifications/in-app.channel.js';
export { LogChannel } from './notifications/log.channel.js';
export { WebhookChannel } from './notifications/webhook.channel.js';
export { verifyWebhookSignature } from './notifications/webhook-signature.js';
export { SessionNotification } from './notifications/notification.entity.js';
export {
  notificationEntities,
  notificationMigrations,
} from './notifications/notification.schema.js';
export { notificationProviders } from './notifications/notification.providers.js';

// Jobs: every queue of the module is on its one Redis setting and key prefix.
export { jobQueueToken } from './jobs/job-queue.js';
export { jobQueuesProvider } from './jobs/job-queues.js';
