import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { parseDuration } from '../src/index.js';

/** Settings of the example app, read from the environment (see the README for each knob). */
export interface ExampleConfig {
  port: number;
  databaseUrl: string | null;
  sqlitePath: string;
  /** `REDIS_URL` (default `redis://127.0.0.1:6379`); `null` for `REDIS_URL=off`: single-instance mode. */
  redisUrl: string | null;
  secret: string;
  idleTimeout: string;
  absoluteTimeout: string;
  freshAuthMaxAge: string;
  policyFile: string | null;
  /** `SESSION_POLICY_WATCH`: how often the policy file is checked for changes (default: never). */
  policyWatch: string | undefined;
  /**
   * `POLICY_DECISION_LOG`: the share of allowed policy decisions logged as JSON lines (`off`, the
   * default; `all`; or a rate such as `0.1`); it also tracks rule use for the permission review.
   */
  decisionLogRate: number | null;
  trustProxy: string[];
  loginMaxAttempts: number;
  /** `SESSION_WORKER`: process the module's Bull jobs in this process (default `true`). */
  worker: boolean;
  /** `SESSION_REVOCATION_BATCH_SIZE`: sessions per bulk-revocation batch (module default 5000). */
  revocationBatchSize: number | undefined;
  /** `SESSION_JOB_STALLED_AFTER`: when a dead worker's job is taken over (module default 30s). */
  jobStalledAfter: string | undefined;
  /** `SESSION_JOB_RECONCILE_INTERVAL`: how often lost or deferred jobs are queued again (module default 15s). */
  jobReconcileInterval: string | undefined;
  /** `SESSION_LIVE_SWEEP_INTERVAL`: how often open WebSockets and SSE streams are re-checked. */
  liveSweepInterval: string;
  /** `HTTP_ADAPTER`: the Nest platform the app runs on, `express` (default) or `fastify`. */
  httpAdapter: HttpAdapterName;
  /** `SESSION_MAX_PER_USER`: live sessions per user (default unset: no limit). */
  maxSessionsPerUser: number | undefined;
  /** `SESSION_LIMIT_POLICY`: a sign-in past the limit, `end-oldest` (default) or `refuse-new`. */
  sessionLimitPolicy: 'end-oldest' | 'refuse-new';
  /**
   * `SESSION_SIGNAL_USER_AGENT`, `SESSION_SIGNAL_NETWORK`, `SESSION_SIGNAL_COUNTRY`: what a
   * request from another browser family, network or country than its session's does — `ignore`,
   * `record`, `step-up` or `end` (unset: the module's defaults, record, record, step-up).
   */
  signals: { userAgent?: SignalAction; network?: SignalAction; country?: SignalAction };
}

/** What a changed theft signal does (the module's `session.signals` values). */
export type SignalAction = 'ignore' | 'record' | 'step-up' | 'end';

const SIGNAL_ACTIONS: readonly SignalAction[] = ['ignore', 'record', 'step-up', 'end'];

/** The HTTP platforms the example runs on. */
export type HttpAdapterName = 'express' | 'fastify';

/** Reads and validates the environment; a bad value stops startup with a message naming it. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const problems: string[] = [];
  const duration = (name: string, fallback: string) => {
    const value = env[name] ?? fallback;
    try {
      parseDuration(value, name);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return value;
  };
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT: invalid port '${env.PORT}'`);
  const attempts = Number(env.LOGIN_MAX_ATTEMPTS ?? 5);
  if (!Number.isInteger(attempts) || attempts < 1) {
    problems.push(
      `LOGIN_MAX_ATTEMPTS: must be a positive integer, got '${env.LOGIN_MAX_ATTEMPTS}'`,
    );
  }
  const batchSize = env.SESSION_REVOCATION_BATCH_SIZE;
  if (batchSize !== undefined && !/^[1-9]\d{0,5}$/.test(batchSize)) {
    problems.push(`SESSION_REVOCATION_BATCH_SIZE: must be a positive integer, got '${batchSize}'`);
  }
  const stalledAfter = env.SESSION_JOB_STALLED_AFTER;
  if (stalledAfter !== undefined) duration('SESSION_JOB_STALLED_AFTER', stalledAfter);
  const reconcileInterval = env.SESSION_JOB_RECONCILE_INTERVAL;
  if (reconcileInterval !== undefined) {
    duration('SESSION_JOB_RECONCILE_INTERVAL', reconcileInterval);
  }
  const workerValue = (env.SESSION_WORKER ?? 'true').trim().toLowerCase();
  if (!['true', 'false', '1', '0'].includes(workerValue)) {
    problems.push(`SESSION_WORKER: must be true or false, got '${env.SESSION_WORKER}'`);
  }
  const adapter = (env.HTTP_ADAPTER ?? 'express').trim().toLowerCase();
  if (adapter !== 'express' && adapter !== 'fastify') {
    problems.push(`HTTP_ADAPTER: must be express or fastify, got '${env.HTTP_ADAPTER}'`);
  }
  const maxSessions = env.SESSION_MAX_PER_USER?.trim() || undefined;
  if (maxSessions !== undefined && !/^[1-9]\d{0,3}$/.test(maxSessions)) {
    problems.push(
      `SESSION_MAX_PER_USER: must be an integer from 1 to 9999, got '${env.SESSION_MAX_PER_USER}'`,
    );
  }
  const limitPolicy = (env.SESSION_LIMIT_POLICY ?? 'end-oldest').trim().toLowerCase();
  if (limitPolicy !== 'end-oldest' && limitPolicy !== 'refuse-new') {
    problems.push(
      `SESSION_LIMIT_POLICY: must be end-oldest or refuse-new, got '${env.SESSION_LIMIT_POLICY}'`,
    );
  }
  const signal = (name: string): SignalAction | undefined => {
    const value = env[name]?.trim().toLowerCase() || undefined;
    if (value === undefined || SIGNAL_ACTIONS.includes(value as SignalAction)) {
      return value as SignalAction | undefined;
    }
    problems.push(`${name}: must be ignore, record, step-up or end, got '${env[name]}'`);
    return undefined;
  };
  const signals = {
    userAgent: signal('SESSION_SIGNAL_USER_AGENT'),
    network: signal('SESSION_SIGNAL_NETWORK'),
    country: signal('SESSION_SIGNAL_COUNTRY'),
  };
  const decisionLog = (env.POLICY_DECISION_LOG ?? 'off').trim().toLowerCase();
  const decisionLogRate =
    decisionLog === 'off' ? null : decisionLog === 'all' ? 1 : Number(decisionLog);
  if (decisionLogRate !== null && !(decisionLogRate > 0 && decisionLogRate <= 1)) {
    problems.push(
      `POLICY_DECISION_LOG: must be off, all or a rate above 0 and at most 1, got '${env.POLICY_DECISION_LOG}'`,
    );
  }
  const config: ExampleConfig = {
    port,
    databaseUrl: env.DATABASE_URL || null,
    sqlitePath: env.SQLITE_PATH ?? './data/example.sqlite',
    redisUrl: readRedisUrl(env.REDIS_URL),
    secret: env.SESSION_SECRET ?? '',
    idleTimeout: duration('SESSION_IDLE_TIMEOUT', '30m'),
    absoluteTimeout: duration('SESSION_ABSOLUTE_TIMEOUT', '12h'),
    freshAuthMaxAge: duration('FRESH_AUTH_MAX_AGE', '5m'),
    policyFile: env.SESSION_POLICY_FILE || null,
    policyWatch: env.SESSION_POLICY_WATCH
      ? duration('SESSION_POLICY_WATCH', env.SESSION_POLICY_WATCH)
      : undefined,
    decisionLogRate,
    trustProxy: (env.TRUST_PROXY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    loginMaxAttempts: attempts,
    worker: workerValue === 'true' || workerValue === '1',
    revocationBatchSize: batchSize === undefined ? undefined : Number(batchSize),
    jobStalledAfter: stalledAfter,
    jobReconcileInterval: reconcileInterval,
    liveSweepInterval: duration('SESSION_LIVE_SWEEP_INTERVAL', '30s'),
    httpAdapter: adapter === 'fastify' ? 'fastify' : 'express',
    maxSessionsPerUser: maxSessions === undefined ? undefined : Number(maxSessions),
    sessionLimitPolicy: limitPolicy === 'refuse-new' ? 'refuse-new' : 'end-oldest',
    signals,
  };
  if (problems.length > 0) throw new Error(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/**
 * `REDIS_URL`: the shared Redis (default `redis://127.0.0.1:6379`, also when empty), or `off` for
 * single-instance mode (in-memory cache, never more than one instance).
 *
 * @example readRedisUrl('off') // null
 */
export function readRedisUrl(value: string | undefined): string | null {
  const url = value?.trim() || 'redis://127.0.0.1:6379';
  return url.toLowerCase() === 'off' ? null : url;
}

/**
 * The example's secret: `SESSION_SECRET`, or one generated once and kept beside the embedded
 * database so restarts keep CSRF tokens valid.
 */
export function exampleSecret(config: ExampleConfig): string {
  const existing = existingExampleSecret(config);
  if (existing) return existing;
  const file = exampleSecretFile(config);
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Where the example keeps the secret it generated: beside the embedded database. */
export function exampleSecretFile(config: Pick<ExampleConfig, 'sqlitePath'>): string {
  return `${dirname(config.sqlitePath)}/.session-secret`;
}

/**
 * `SESSION_SECRET`, or the secret the example app generated earlier; `null` when neither exists.
 * Creates nothing (the CLI must never invent a secret the running app does not have).
 */
export function existingExampleSecret(config: ExampleConfig): string | null {
  if (config.secret) return config.secret;
  const file = exampleSecretFile(config);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}
