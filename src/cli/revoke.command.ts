import type { INestApplicationContext } from '@nestjs/common';
import {
  BulkRevocationService,
  type RevocationStarted,
} from '../revocation/bulk/bulk-revocation.service.js';
import {
  parseRevocationFilter,
  RevocationFilterError,
  type RevocationFilter,
} from '../revocation/bulk/revocation-filter.js';
import {
  IdempotencyKeyReusedError,
  parseIdempotencyKey,
} from '../revocation/bulk/revocation-idempotency.js';
import type { RevocationPreview } from '../revocation/bulk/revocation-preview.js';
import { CliExit, confirmOrExit, EXIT, print, say, table } from './cli-io.js';

/**
 * Flags of `revoke`, as commander parses them.
 *
 * @example const flags: RevokeFlags = { role: ['editor'], reason: 'incident 42', yes: true };
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

/** Who runs a command and how it prints. */
export interface CliRun {
  actor: string;
  json: boolean;
}

/**
 * `revoke`: validates the filter, shows the dry run (a short table, or JSON), asks on a terminal
 * (unless `--yes`), starts the job and prints `{jobId, matched, effect}`. Without Redis the job
 * runs in this process and the command returns once it completed.
 *
 * @example await revokeCommand(context, { all: true, reason: 'incident 42', yes: true }, run);
 */
export async function revokeCommand(
  context: INestApplicationContext,
  flags: RevokeFlags,
  run: CliRun,
): Promise<number> {
  const { filter, reason } = checkRevokeFlags(flags);
  const bulk = context.get(BulkRevocationService);
  const preview = await bulk.preview(filter);
  if (flags.dryRun) {
    if (run.json) print({ dryRun: true, ...preview });
    else say(...previewLines(preview), 'dry run: nothing changed');
    return EXIT.ok;
  }
  const effect = preview.effect === 'immediate' ? 'at once' : 'as the job reaches them';
  await confirmOrExit(`Revoke ${preview.matched} live sessions (${effect})?`, flags.yes, 'revoke');
  let started: RevocationStarted;
  try {
    started = (await bulk.start(filter, reason, run.actor, {
      idempotencyKey: flags.idempotencyKey,
    })) as RevocationStarted;
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
  const status = await bulk.status(started.jobId);
  if (run.json) print({ ...started, state: status?.state ?? 'waiting', actor: run.actor });
  else {
    say(
      `job ${started.jobId} started by ${run.actor}: ${started.matched} sessions, effect ${started.effect}`,
      `state: ${status?.state ?? 'waiting'} (follow it with: session-security job ${started.jobId} --follow)`,
    );
  }
  return EXIT.ok;
}

/** The dry-run table: matched, by role, by user, a few sessions. */
export function previewLines(preview: RevocationPreview): string[] {
  const counts = (items: Array<[string, number]>) =>
    items.length === 0 ? '-' : items.map(([name, n]) => `${name} ${n}`).join(', ');
  return [
    `matched: ${preview.matched} live sessions (effect: ${preview.effect})`,
    `by role: ${counts(preview.byRole.map((r) => [r.role, r.sessions]))}`,
    `by user: ${counts(preview.byUser.map((u) => [u.userId, u.sessions]))}`,
    ...(preview.sample.length === 0
      ? []
      : table(
          ['SESSION', 'USER', 'ROLES', 'CREATED', 'IP'],
          preview.sample.map((s) => [s.id, s.userId, s.roles.join(','), s.createdAt, s.ip]),
        )),
  ];
}

/**
 * Checks the `revoke` flags before anything boots: a bad value exits 2 naming its flag.
 *
 * @example const { filter, reason } = checkRevokeFlags({ all: true, reason: 'incident 42' });
 */
export function checkRevokeFlags(flags: RevokeFlags): { filter: RevocationFilter; reason: string } {
  const filter = filterFromFlags(flags);
  const reason = (flags.reason ?? '').trim();
  if (!flags.dryRun && (reason.length < 1 || reason.length > 256)) {
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
