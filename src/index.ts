// Module
export { SessionSecurityModule } from './session-security.module.js';
export type { SessionSecurityExtras } from './session-security.module-definition.js';
export type {
  SessionSecurityModuleOptions,
  SessionOptions,
  CookieOptions,
  CsrfOptions,
  FreshAuthOptions,
  ThrottleOptions,
  PolicyOptions,
  AuditOptions,
} from './module-options/session-security-options.interface.js';
export { SessionSecurityOptionsError } from './options/options-error.js';
export type {
  RedisClient,
  RedisClusterConfig,
  RedisSentinelConfig,
  RedisSource,
} from './common/redis-clients.js';
export { sessionSecurityEntities, sessionSecurityMigrations } from './schema.js';

// Sessions
export { SessionService, AccountDisabledError } from './session/session.service.js';
export type { IssuedSession, SessionOrigin, SessionValidation } from './session/session.service.js';
export type { ActiveSession, SessionPrincipal } from './session/session.types.js';
export type { SessionUserDirectory } from './session/session-user-directory.interface.js';
export { SessionEvents } from './session/session-events.js';
export type {
  SessionEvent,
  SessionEventDetails,
  SessionEventListener,
  SessionEventType,
} from './session/session-events.js';
export { setSessionCookie, clearSessionCookie } from './session/session-cookie.js';
export { SessionCache } from './session/session-cache.interface.js';
export type { CacheLookup, SessionEpochs } from './session/session-cache.interface.js';

export { RevocationService } from './revocation/revocation.service.js';
export type { ChangeContext } from './revocation/revocation.service.js';

// Permission changes
export type { PermissionChangeOptions } from './permission-changes/permission-change.options.js';
export type {
  PermissionWatch,
  PermissionWatchEvent,
} from './permission-changes/permission-watch.js';
export { UnattributablePermissionChangeError } from './permission-changes/permission-change.watcher.js';
export { PermissionChangeEntity } from './permission-changes/permission-change.entity.js';
export type { PermissionChangeState } from './permission-changes/permission-change.entity.js';
// Bulk revocation
export { BulkRevocationService } from './revocation/bulk/bulk-revocation.service.js';
export type {
  RevocationDryRun,
  RevocationStarted,
  RevocationJobStatus,
} from './revocation/bulk/bulk-revocation.service.js';
export type { RevocationPreview } from './revocation/bulk/revocation-preview.js';
export type { BulkRevocationOptions } from './revocation/bulk/bulk-revocation.options.js';
export { REVOCATION_QUEUE } from './revocation/bulk/bulk-revocation.options.js';
export {
  parseRevocationFilter,
  parseRevocationRequest,
  RevocationFilterError,
} from './revocation/bulk/revocation-filter.js';
export type { RevocationFilter, RevocationRequest } from './revocation/bulk/revocation-filter.js';
export type { RevocationEffect } from './revocation/bulk/revocation-plan.js';
export type { RevocationJobState } from './revocation/bulk/revocation-job.entity.js';
export {
  SessionRevocationsController,
  InvalidRevocationFilterException,
  RevocationJobNotFoundException,
  IdempotencyKeyReusedException,
} from './revocation/bulk/session-revocations.controller.js';
export { IdempotencyKeyReusedError } from './revocation/bulk/revocation-idempotency.js';
export type { RevocationStartOptions } from './revocation/bulk/bulk-revocation.service.js';
export type { EnqueueOutcome } from './jobs/bounded-enqueue.js';

// Optional integrations live behind subpaths, so their packages stay optional peers:
// `nestjs-session-security/queue-dashboard`, `/passport`, `/websocket`, `/socket-io`, `/testing`.

// HTTP pipeline
export { SessionGuard } from './http/session.guard.js';
export { Public, AllowPendingReauth } from './http/public.decorator.js';
export { CurrentSession, CurrentUser } from './http/current-session.decorator.js';
export { SessionCookieInterceptor } from './http/session-cookie.interceptor.js';
export { HttpErrorFilter } from './http/http-error.filter.js';
export { CsrfGuard } from './csrf/csrf.guard.js';
export { CsrfService } from './csrf/csrf.service.js';
export { LoginThrottleService } from './throttle/login-throttle.service.js';
export { SessionLogin } from './login/session-login.service.js';
export type { LoginAttempt, ReauthAttempt, SignedIn } from './login/session-login.types.js';
export { SessionSecurityHealth } from './health/session-security-health.service.js';
export type { SessionSecurityHealthReport } from './health/session-security-health.service.js';
export { requestState } from './session/request-state.js';
export type { SessionRequestState } from './session/request-state.js';

// Surfaces (GraphQL, WebSockets, microservices; see docs/surfaces.md)
export { resolveCall, attachHandshake } from './surfaces/guarded-call.js';
export type { GuardedCall, SurfaceType, RpcTokenExtractor } from './surfaces/guarded-call.js';
export {
  SurfaceGraphqlError,
  WS_CLOSE_UNAUTHORIZED,
  WS_CLOSE_FORBIDDEN,
} from './surfaces/surface-reply.js';
export type { SurfaceOptions } from './module-options/session-security-options.interface.js';

// Re-authentication
export { RequireFreshAuth } from './fresh-auth/require-fresh-auth.decorator.js';
export type { RequireFreshAuthOptions } from './fresh-auth/require-fresh-auth.decorator.js';
export { FreshAuthGuard } from './fresh-auth/fresh-auth.guard.js';
export { decideFreshAuth, FreshAuthConfigurationError } from './fresh-auth/fresh-auth-decision.js';
export type { FreshAuthDecision, FreshAuthRequirement } from './fresh-auth/fresh-auth-decision.js';

// Policies
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
  PolicyRule,
  WhenBlock,
  PolicyAbility,
  PolicyUser,
  PolicyContext,
  DefineAbilityHook,
  HoursWindow,
} from './policy/policy.types.js';
export { PolicyEvaluation } from './policy/policy-evaluation.js';
export type { PolicyExplanation } from './policy/policy-decision.types.js';
export { PolicyValidationError } from './policy/policy-validation.error.js';

// Errors
export {
  SessionRequiredException,
  SessionExpiredException,
  SessionRevokedException,
  CsrfRejectedException,
} from './errors/session-security.exception.js';
export {
  SessionSecurityException,
  ReauthRequiredException,
  ForbiddenException,
  InvalidCredentialsException,
  TooManyAttemptsException,
  InvalidRequestException,
} from './errors/session-security.exception.js';
export type { ErrorCode, ReauthReason } from './errors/denial-codes.js';
export {
  DatabaseUnavailableException,
  isDatabaseUnavailable,
} from './errors/database-unavailable.js';

// Time and network
export { Clock, SystemClock } from './common/clock.js';
export { parseDuration } from './common/duration.js';
export type { Duration } from './common/duration.js';
export { CidrSet, resolveClientIp } from './network/client-ip.js';

// Audit log
export { AuditService } from './audit/audit.service.js';
export { AuditDetailsError } from './audit/audit-details-guard.js';
export type {
  AuditEventType,
  AuditEventInput,
  AuditEventRecord,
  AuditVerifyResult,
  AuditVerifyOptions,
  AuditListQuery,
} from './audit/audit-event.types.js';
export { AuditRetentionService, AuditChainBrokenError } from './audit/audit-retention.service.js';
export type { AuditPruneOptions, AuditPruneResult } from './audit/audit-retention.service.js';
export { AuditRetentionJob } from './audit/audit-retention.job.js';
export type { AuditRetentionRun } from './audit/audit-retention.job.js';
export type { AuditRetentionOptions } from './audit/audit-retention-config.js';
export {
  AUDIT_RETENTION_QUEUE,
  AUDIT_RETENTION_SCHEDULE,
} from './audit/audit-retention.schedule.js';
export type { AuditRetentionSchedule } from './audit/audit-retention.schedule.js';

// Notifications
export { NotificationService } from './notifications/notification.service.js';
export {
  notificationEntities,
  notificationMigrations,
} from './notifications/notification.schema.js';
export {
  notificationImports,
  notificationProviders,
} from './notifications/notification.providers.js';
export type {
  NotifyOptions,
  NotifyResult,
  ListNotificationsOptions,
} from './notifications/notification.service.js';
export { NotificationBatchService } from './notifications/notification-batch.service.js';
export type { BatchNotification } from './notifications/notification-batch.service.js';
export { NotificationTypes } from './notifications/notification-types.js';
export type { NotificationType } from './notifications/notification-types.js';
export type { NotificationModuleOptions } from './notifications/notification-options.js';
export { NotificationChannel } from './notifications/notification-channel.interface.js';
export { InAppChannel } from './notifications/in-app.channel.js';
export { LogChannel } from './notifications/log.channel.js';
export { WebhookChannel } from './notifications/webhook.channel.js';
export type { WebhookChannelOptions, WebhookBody } from './notifications/webhook.channel.js';
export {
  signWebhookBody,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WEBHOOK_ID_HEADER,
} from './notifications/webhook-signature.js';
export { SessionNotification } from './notifications/notification.entity.js';
export { LiveConnections } from './live/live-connections.service.js';
export type {
  LiveConnectionEnd,
  LiveConnectionHandle,
  LiveConnectionInit,
} from './live/live-connection.types.js';
export type { LiveConnectionOptions } from './live/live-options.js';
export { endWithSession, type SessionEndedEvent } from './live/end-with-session.operator.js';

// Adapter-neutral response writes (Express response, Fastify reply, or a Node response).
export { appendHeader, headersSent, sendJson, setHeader } from './surfaces/http-reply.js';
export { answerClientErrorsAsJson } from './surfaces/client-error-reply.js';
