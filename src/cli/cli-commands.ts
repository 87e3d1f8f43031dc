import type { INestApplicationContext } from '@nestjs/common';
import cliProgress from 'cli-progress';
import { AuditService } from '../audit/audit.service.js';
import { CidrSet } from '../network/client-ip.js';
import { PolicyService } from '../policy/policy.service.js';
import { BulkRevocationService } from '../revocation/bulk/bulk-revocation.service.js';
import {
  IdempotencyKeyReusedError,
  parseIdempotencyKey,
} from '../revocation/bulk/revocation-idempotency.js';
import {
  parseRevocationFilter,
  RevocationFilterError,
  type RevocationFilter,
} from '../revocation/bulk/revocation-filter.js';
import { CliExit, confirm, EXIT, print } from './cli-io.js';

/**
 * Flags of `revoke`, as commander parses them.
 *
 * @example const flags: RevokeFlags = { role: 'editor', reason: 'incident 42', yes: true };
 */
export interface RevokeFlags {
  user?: string[];
  role?: string[];
  tenant?: string;
  createdBefore?: string;
  authenticatedBefore?: string;
  ip?: string;
  userAgent?: string;
  all?: boolean;
  reason?: string;
  dryRun?: boolean;
  yes?: boolean;
  /** Run the same command again with the same key: it reports the job the first run started. */
  idempotencyKey?: string;
}

/**
 * `revoke`: validates the filter, shows the dry run, asks on a terminal (unless `--yes`),
 * starts the job and prints `{jobId, matched, effect}`.
 *
 * @example await revokeCommand(context, { all: true, reason: 'incident 42', yes: true });
 */
export async function revokeCommand(
  context: INestApplicationContext,
  flags: RevokeFlags,
): Promise<number> {
  const { filter, reason } = checkRevokeFlags(flags);
  const bulk = context.get(BulkRevocationService);
  const dry = await bulk.start(filter, reason, cliActor(), { dryRun: true });
  if (flags.dryRun) {
    print(dry);
    return EXIT.ok;
  }
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      throw new CliExit(EXIT.usage, 'not a terminal: pass --yes to revoke without confirmation');
    }
    const effect = dry.effect === 'immediate' ? 'at once' : 'as the job reaches them';
    if (!(await confirm(`Revoke ${dry.matched} live sessions (${effect})?`))) {
      process.stderr.write('nothing revoked\n');
      return EXIT.ok;
    }
  }
  let started;
  try {
    started = await bulk.start(filter, reason, cliActor(), {
      idempotencyKey: flags.idempotencyKey,
    });
  } catch (error) {
    if (error instanceof IdempotencyKeyReusedError) {
      throw new CliExit(
        EXIT.usage,
        `--idempotency-key: already used for job ${error.jobId}, with another filter or reason`,
      );
    }
    throw error;
  }
  await bulk.whenIdle();
  print(started);
  return EXIT.ok;
}

/** `jobs`: the most recent revocation jobs. */
export async function jobsCommand(
  context: INestApplicationContext,
  limit: number,
): Promise<number> {
  print(await context.get(BulkRevocationService).list(limit));
  return EXIT.ok;
}

/** `job <id> [--follow]`: one job; with `--follow`, a progress bar until it ends. Exit 1 if it failed. */
export async function jobCommand(
  context: INestApplicationContext,
  jobId: string,
  follow: boolean,
  intervalMs = 500,
): Promise<number> {
  const bulk = context.get(BulkRevocationService);
  let status = await bulk.status(jobId);
  if (!status) throw new CliExit(EXIT.usage, `job ${jobId}: not found`);
  if (follow) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'revoking [{bar}] {percentage}% | {revoked}/{matched} | {state}',
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, status.progress, {
      revoked: status.revoked,
      matched: status.matched,
      state: status.state,
    });
    while (status && (status.state === 'waiting' || status.state === 'active')) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      status = (await bulk.status(jobId)) ?? status;
      bar.update(status.progress, {
        revoked: status.revoked,
        matched: status.matched,
        state: status.state,
      });
    }
    bar.stop();
  }
  print(status);
  return status.state === 'failed' ? EXIT.failed : EXIT.ok;
}

/** `audit verify`: exit 0 when the chain is intact, 1 (naming the first broken seq) when not. */
export async function auditVerifyCommand(context: INestApplicationContext): Promise<number> {
  const result = await context.get(AuditService).verify();
  if (result.ok) {
    process.stdout.write(`audit chain ok: ${result.checked} events checked\n`);
    return EXIT.ok;
  }
  process.stdout.write(`audit chain broken at seq ${result.brokenAt}: ${result.reason}\n`);
  return EXIT.failed;
}

/** `audit tail [-n 20]`: the last events, oldest first. */
export async function auditTailCommand(
  context: INestApplicationContext,
  n: number,
): Promise<number> {
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new CliExit(EXIT.usage, '-n: must be an integer from 1 to 1000');
  }
  print(await context.get(AuditService).tail(n));
  return EXIT.ok;
}

/**
 * Flags of `policy explain`.
 *
 * @example const flags: ExplainFlags = { user: '2', roles: 'editor', action: 'read', subject: 'Report' };
 */
export interface ExplainFlags {
  user: string;
  roles: string;
  action: string;
  subject: string;
  at?: string;
  ip?: string;
  country?: string;
  authLevel?: string;
  tenant?: string;
}

/** `policy explain`: may the user do it, at that time, from that address — and which rule decided. */
export async function policyExplainCommand(
  context: INestApplicationContext,
  flags: ExplainFlags,
): Promise<number> {
  const now = flags.at === undefined ? Date.now() : Date.parse(flags.at);
  if (Number.isNaN(now)) throw new CliExit(EXIT.usage, `--at: not an ISO date-time '${flags.at}'`);
  if (flags.ip !== undefined && !validAddress(flags.ip)) {
    throw new CliExit(EXIT.usage, `--ip: not an IP address '${flags.ip}'`);
  }
  const roles = flags.roles
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const explanation = context
    .get(PolicyService)
    .explain(
      { id: flags.user, roles, tenantId: flags.tenant ?? null },
      flags.action,
      flags.subject,
      {
        now,
        ip: flags.ip ?? '',
        country: flags.country?.toUpperCase() ?? null,
        authLevel: flags.authLevel ?? null,
        sessionCreatedAt: null,
        authenticatedAt: null,
      },
    );
  print(explanation);
  return EXIT.ok;
}

/**
 * Checks the `revoke` flags before anything boots: a bad value exits 2 naming its flag.
 *
 * @example const { filter, reason } = checkRevokeFlags({ all: true, reason: 'incident 42' });
 */
export function checkRevokeFlags(flags: RevokeFlags): { filter: RevocationFilter; reason: string } {
  const filter = filterFromFlags(flags);
  const reason = (flags.reason ?? '').trim();
  if (reason.length < 1 || reason.length > 256) {
    throw new CliExit(EXIT.usage, 'reason: --reason <text> is required (1..256 characters)');
  }
  try {
    parseIdempotencyKey(flags.idempotencyKey, '--idempotency-key');
  } catch (error) {
    if (error instanceof RevocationFilterError) throw new CliExit(EXIT.usage, error.message);
    throw error;
  }
  return { filter, reason };
}

/** The revocation filter the `revoke` flags describe; a bad value exits 2 naming its flag. */
export function filterFromFlags(flags: RevokeFlags): RevocationFilter {
  const raw: Record<string, unknown> = {
    userIds: flags.user,
    roles: flags.role,
    tenantId: flags.tenant,
    createdBefore: flags.createdBefore,
    authenticatedBefore: flags.authenticatedBefore,
    ip: flags.ip,
    userAgent: flags.userAgent,
    all: flags.all ? true : undefined,
  };
  try {
    return parseRevocationFilter(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
  } catch (error) {
    if (error instanceof RevocationFilterError) {
      throw new CliExit(
        EXIT.usage,
        `${flagOf(error.field)}: ${error.message.replace(/^[^:]+: /, '')}`,
      );
    }
    throw error;
  }
}

const FLAGS: Record<string, string> = {
  userIds: '--user',
  roles: '--role',
  tenantId: '--tenant',
  createdBefore: '--created-before',
  authenticatedBefore: '--authenticated-before',
  ip: '--ip',
  userAgent: '--user-agent',
  all: '--all',
};

function flagOf(field: string): string {
  const key = field.split('.')[0];
  return FLAGS[key] ?? (field === '' || field === 'filter' ? 'filter' : field);
}

function validAddress(ip: string): boolean {
  try {
    return ip.length > 0 && !ip.includes('/') && new CidrSet([ip]).size === 1;
  } catch {
    return false;
  }
}

function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`;
}
