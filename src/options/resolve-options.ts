import { hkdfSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { resolveAuditConfig, type ResolvedAuditConfig } from '../audit/audit-config.js';
import { Clock, SystemClock } from '../common/clock.js';
import { createPolicyConfig, type ResolvedPolicyConfig } from '../policy/policy-config.js';
import { parseDuration } from '../common/duration.js';
import { redactUrl, redisUrlProblem } from '../common/redis-connection.js';
import { CidrSet } from '../network/client-ip.js';
import { SessionEntity } from '../session/session.entity.js';
import type { SessionUserDirectory } from '../session/session-user-directory.interface.js';
import { SessionSecurityOptionsError } from './options-error.js';
import { describeIssues, optionsSchema } from './options.schema.js';
import type { SessionSecurityModuleOptions } from './session-security-options.interface.js';
import type { RpcTokenExtractor } from '../surfaces/guarded-call.js';

/** The options after validation, with every default filled in and every duration in ms. */
export interface ResolvedOptions {
  raw: SessionSecurityModuleOptions;
  dataSource: DataSource;
  redis: Redis | string | false;
  redisKeyPrefix: string;
  session: { idleTimeoutMs: number; absoluteTimeoutMs: number; touchIntervalMs: number };
  cookie: { name: string; sameSite: 'Lax' | 'Strict' };
  csrf: { allowedOrigins: Set<string>; headerName: string; jsonOnly: boolean; key: Buffer };
  freshAuth: { maxAgeMs: number; levels: string[] };
  throttle: { maxAttempts: number; windowMs: number };
  trustProxy: CidrSet;
  allowBearer: boolean;
  surfaces: { rpcToken: RpcTokenExtractor | null };
  users?: SessionUserDirectory;
  clock: Clock;
  policy: ResolvedPolicyConfig;
  audit: ResolvedAuditConfig;
}

/**
 * Validates the module options once, at startup, and fills the secure defaults. Every problem is
 * reported together, each naming its option.
 *
 * @throws SessionSecurityOptionsError
 */
export function resolveOptions(options: SessionSecurityModuleOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  const problems = parsed.success ? [] : describeIssues(parsed.error);
  const attempt = <T>(work: () => T, fallback: T): T => {
    try {
      return work();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  const d = (value: string | number | undefined, fallback: string, path: string) =>
    attempt(() => parseDuration(value ?? fallback, path), 1);

  const dataSource = options?.dataSource as DataSource | undefined;
  if (!dataSource || typeof dataSource.getRepository !== 'function') {
    problems.push("dataSource: required — pass the app's initialised TypeORM DataSource");
  } else if (!dataSource.hasMetadata(SessionEntity)) {
    problems.push(
      "dataSource: the module's entities are missing — add sessionSecurityEntities to it",
    );
  }
  const redis = options?.redis;
  if (
    redis !== false &&
    typeof redis !== 'string' &&
    typeof (redis as Redis)?.defineCommand !== 'function'
  ) {
    problems.push(
      'redis: required — an ioredis client, a redis:// URL, or false for single-instance mode',
    );
  } else if (typeof redis === 'string') {
    const problem = redisUrlProblem(redis);
    if (problem) problems.push(`redis: invalid URL '${redactUrl(redis)}': ${problem}`);
  }

  const session = {
    idleTimeoutMs: d(options?.session?.idleTimeout, '30m', 'session.idleTimeout'),
    absoluteTimeoutMs: d(options?.session?.absoluteTimeout, '12h', 'session.absoluteTimeout'),
    touchIntervalMs: d(options?.session?.touchInterval, '60s', 'session.touchInterval'),
  };
  if (session.idleTimeoutMs > session.absoluteTimeoutMs) {
    problems.push('session.idleTimeout: must not be longer than session.absoluteTimeout');
  }
  session.touchIntervalMs = Math.min(
    session.touchIntervalMs,
    Math.ceil(session.idleTimeoutMs / 10),
  );
  const trustProxy = attempt(
    () => new CidrSet(options?.trustProxy ?? [], 'trustProxy'),
    new CidrSet([]),
  );
  const levels = options?.freshAuth?.levels ?? ['password', 'mfa'];
  const policy = attempt(() => createPolicyConfig(options?.policy as never, levels), null);
  const audit = attempt(
    () => resolveAuditConfig(options?.audit as never, options?.secret ?? ''),
    null,
  );

  if (problems.length > 0) throw new SessionSecurityOptionsError(problems);
  return {
    raw: options,
    dataSource: dataSource!,
    redis: redis as Redis | string | false,
    redisKeyPrefix: options.redisKeyPrefix ?? 'ss:',
    session,
    cookie: {
      name: `__Host-${options.cookie?.name ?? 't'}`,
      sameSite: options.cookie?.sameSite === 'strict' ? 'Strict' : 'Lax',
    },
    csrf: {
      allowedOrigins: new Set((options.csrf?.allowedOrigins ?? []).map((o) => new URL(o).origin)),
      headerName: (options.csrf?.headerName ?? 'x-csrf-token').toLowerCase(),
      jsonOnly: options.csrf?.jsonOnly ?? true,
      key: deriveKey(options.secret, 'csrf'),
    },
    freshAuth: { maxAgeMs: d(options.freshAuth?.maxAge, '5m', 'freshAuth.maxAge'), levels },
    throttle: {
      maxAttempts: options.throttle?.maxAttempts ?? 5,
      windowMs: d(options.throttle?.window, '15m', 'throttle.window'),
    },
    trustProxy,
    allowBearer: options.allowBearer ?? false,
    surfaces: { rpcToken: options.surfaces?.rpc?.token ?? null },
    users: options.users,
    clock: options.clock ?? new SystemClock(),
    policy: policy!,
    audit: audit!,
  };
}

/** A 32-byte sub-key of the module secret for one purpose. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', `nestjs-session-security/${purpose}`, 32));
}
