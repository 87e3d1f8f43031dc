import { auditEntities } from './audit/audit.entities.js';
import {
  notificationEntities,
  notificationMigrations,
} from './notifications/notification.schema.js';
import { SessionCore1763800000000 } from './migrations/1763800000000-session-core.js';
import { AuditLog1763900000000 } from './migrations/1763900000000-AuditLog.js';
import { RevocationJobs1764100000000 } from './migrations/1764100000000-revocation-jobs.js';
import { SessionFillfactor1764200000000 } from './migrations/1764200000000-session-fillfactor.js';
import { RevocationJobEntity } from './revocation/bulk/revocation-job.entity.js';
import { PermissionChanges1764250000000 } from './migrations/1764250000000-permission-changes.js';
import { PermissionChangeEntity } from './permission-changes/permission-change.entity.js';
import { CacheInvalidationCounterEntity } from './session/cache-invalidation-counter.entity.js';
import { CacheInvalidationSeq1764300000000 } from './migrations/1764300000000-cache-invalidation-seq.js';
import { CacheOutboxEntity } from './session/cache-outbox.entity.js';
import { LoginLockout1764400000000 } from './migrations/1764400000000-login-lockout.js';
import { RevocationIdempotency1764500000000 } from './migrations/1764500000000-revocation-idempotency.js';
import { RememberMe1764600000000 } from './migrations/1764600000000-remember-me.js';
import { Impersonation1764700000000 } from './migrations/1764700000000-impersonation.js';
import { TheftSignals1764800000000 } from './migrations/1764800000000-theft-signals.js';
import { LoginLockoutEntity } from './throttle/login-lockout.entity.js';
import { RevocationMarkerEntity } from './session/revocation-marker.entity.js';
import { RetiredTokenEntity } from './session/retired-token.entity.js';
import { SessionUserStateEntity } from './session/session-user-state.entity.js';
import { SessionEntity } from './session/session.entity.js';

/**
 * Entities to add to the app's DataSource.
 *
 * @example new DataSource({ ..., entities: [...sessionSecurityEntities, User] })
 */
export const sessionSecurityEntities = [
  SessionEntity,
  SessionUserStateEntity,
  RevocationMarkerEntity,
  CacheOutboxEntity,
  CacheInvalidationCounterEntity,
  PermissionChangeEntity,
  ...auditEntities,
  ...notificationEntities,
  RevocationJobEntity,
  LoginLockoutEntity,
  RetiredTokenEntity,
];

/**
 * Migrations to add to the app's DataSource (they run on PostgreSQL and SQLite).
 *
 * @example new DataSource({ ..., migrations: [...sessionSecurityMigrations, ...appMigrations] })
 */
export const sessionSecurityMigrations = [
  SessionCore1763800000000,
  AuditLog1763900000000,
  ...notificationMigrations,
  RevocationJobs1764100000000,
  SessionFillfactor1764200000000,
  PermissionChanges1764250000000,
  CacheInvalidationSeq1764300000000,
  LoginLockout1764400000000,
  RevocationIdempotency1764500000000,
  RememberMe1764600000000,
  Impersonation1764700000000,
  TheftSignals1764800000000,
];
