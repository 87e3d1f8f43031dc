import { hkdfSync } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { finishAuditConfig } from '../audit/audit-config.js';
import { SystemClock } from '../common/clock.js';
import { CidrSet } from '../network/client-ip.js';
import { finishPermissionChangeOptions } from '../permission-changes/permission-change.options.js';
import { createPolicyConfig } from '../policy/policy-config.js';
import { SessionEntity } from '../session/session.entity.js';
import { describeIssues } from '../options/option-issues.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { optionsSchema, type ParsedOptions } from './options.schema.js';
import { STATIC_OPTION_KEYS, staticOptionProblems } from './static-options.js';
import type { SessionSecurityModuleOptions } from './session-security-options.interface.js';
import type { ResolvedOptions } from '../options/resolved-options.js';

/**
 * Validates the module options once, at startup — the same way for `forRoot` and
 * `forRootAsync` — and fills the secure defaults. Every problem is reported together, each
 * naming its option by its path.
 *
 * @throws SessionSecurityOptionsError
 * @example resolveOptions({ dataSource, secret, redis: false, session: { idleTimeout: '15m' } })
 */
export function resolveOptions(options: SessionSecurityModuleOptions): ResolvedOptions {
  const input: unknown = options ?? {};
  const problems = staticOptionProblems(input);
  const statics = new Set(problems.map((line) => line.slice(0, line.indexOf(':'))));
  const candidate =
    typeof input === 'object' && input !== null
      ? Object.fromEntries(Object.entries(input).filter(([key]) => !statics.has(key)))
      : input;
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) {
    problems.push(...describeIssues(parsed.error, optionsSchema, [], STATIC_OPTION_KEYS));
  }
  const resolved = parsed.success ? finish(parsed.data, problems) : null;
  if (problems.length > 0 || !resolved) {
    throw new SessionSecurityOptionsError([...new Set(problems)]);
  }
  return resolved;
}

/** The checks that need more than the schema: instances, files, and one option against another. */
function finish(options: ParsedOptions, problems: string[]): ResolvedOptions | null {
  const attempt = <T>(work: () => T): T | null => {
    try {
      return work();
    } catch (error) {
      problems.push((error as Error).message);
      return null;
    }
  };
  const dataSource = options.dataSource as DataSource | undefined;
  const usable = !!dataSource && typeof dataSource.getRepository === 'function';
  if (!usable) {
    problems.push("dataSource: required — pass the app's initialised TypeORM DataSource");
  } else if (!dataSource.hasMetadata(SessionEntity)) {
    problems.push(
      "dataSource: the module's entities are missing — add sessionSecurityEntities to it",
    );
  }
  const { idleTimeout, absoluteTimeout, touchInterval, limit, rememberMe, signals, impersonation } =
    options.session;
  if (idleTimeout > absoluteTimeout) {
    problems.push('session.idleTimeout: must not be longer than session.absoluteTimeout');
  }
  if (rememberMe.idleTimeout > rememberMe.absoluteTimeout) {
    problems.push(
      'session.rememberMe.idleTimeout: must not be longer than session.rememberMe.absoluteTimeout',
    );
  }
  if (limit && limit.maxSessions === undefined && Object.keys(limit.perRole).length === 0) {
    problems.push(
      'session.limit: sets no limit — give maxSessions, perRole or both (or leave limit out)',
    );
  }
  const trustProxy = attempt(() => new CidrSet(options.trustProxy, 'trustProxy'));
  const levels = options.freshAuth.levels;
  const policy = attempt(() => createPolicyConfig(options.policy, levels));
  const audit = finishAuditConfig(options.audit, options.secret, problems);
  const permissionChanges = usable
    ? finishPermissionChangeOptions(options.permissionChanges, dataSource, problems)
    : null;
  if (problems.length > 0 || !trustProxy || !policy || !permissionChanges) return null;
  return {
    dataSource: dataSource!,
    redis: options.redis,
    redisKeyPrefix: options.redisKeyPrefix,
    session: {
      idleTimeoutMs: idleTimeout,
      absoluteTimeoutMs: absoluteTimeout,
      touchIntervalMs: Math.min(touchInterval, Math.ceil(idleTimeout / 10)),
      limit: limit
        ? { maxSessions: limit.maxSessions ?? null, perRole: limit.perRole, policy: limit.policy }
        : null,
      rememberMe: {
        idleTimeoutMs: rememberMe.idleTimeout,
        absoluteTimeoutMs: rememberMe.absoluteTimeout,
        rotateAfterMs: rememberMe.rotateAfter,
        replayGraceMs: rememberMe.replayGrace,
      },
      signals: { ...signals },
      impersonation: { maxDurationMs: impersonation.maxDuration },
    },
    cookie: {
      name: `__Host-${options.cookie.name}`,
      sameSite: options.cookie.sameSite === 'strict' ? 'Strict' : 'Lax',
    },
    csrf: {
      allowedOrigins: new Set(options.csrf.allowedOrigins.map((o) => new URL(o).origin)),
      headerName: options.csrf.headerName.toLowerCase(),
      jsonOnly: options.csrf.jsonOnly,
      key: deriveKey(options.secret, 'csrf'),
    },
    freshAuth: { maxAgeMs: options.freshAuth.maxAge, levels },
    throttle: {
      enabled: options.throttle.enabled,
      maxAttempts: options.throttle.maxAttempts,
      maxAttemptsPerIp:
        options.throttle.maxAttemptsPerIp ?? Math.max(100, options.throttle.maxAttempts),
      windowMs: options.throttle.window,
    },
    trustProxy,
    allowBearer: options.allowBearer,
    surfaces: { rpcToken: options.surfaces.rpc.token ?? null },
    users: options.users,
    clock: options.clock ?? new SystemClock(),
    policy,
    audit,
    permissionChanges,
    live: options.live,
  };
}

/** A 32-byte sub-key of the module secret for one purpose. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', `nestjs-session-security/${purpose}`, 32));
}
