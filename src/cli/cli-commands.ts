import type { INestApplicationContext } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { CidrSet } from '../network/client-ip.js';
import { PolicyService } from '../policy/policy.service.js';
import { CliExit, EXIT, print, say, table } from './cli-io.js';
import type { CliRun } from './revoke.command.js';

/** `audit verify`: exit 0 when the chain is intact, 1 (naming the first broken seq) when not. */
export async function auditVerifyCommand(
  context: INestApplicationContext,
  run: CliRun,
): Promise<number> {
  const result = await context.get(AuditService).verify();
  if (run.json) print(result);
  else if (result.ok) {
    say(`audit chain ok: ${result.checked} events checked`);
  } else {
    say(`audit chain broken at seq ${result.brokenAt}: ${result.reason}`);
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** `audit tail [-n 20]`: the last events, oldest first. */
export async function auditTailCommand(
  context: INestApplicationContext,
  n: number,
  run: CliRun,
): Promise<number> {
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new CliExit(EXIT.usage, '-n: must be an integer from 1 to 1000');
  }
  const events = await context.get(AuditService).tail(n);
  if (run.json) print(events);
  else {
    say(
      ...table(
        ['SEQ', 'AT', 'TYPE', 'ACTOR', 'OUTCOME', 'USER'],
        events.map((e) => [
          e.seq,
          new Date(e.at).toISOString(),
          e.type,
          e.actor,
          e.outcome,
          e.userId,
        ]),
      ),
    );
  }
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
  run: CliRun,
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
  if (run.json) print(explanation);
  else {
    const rule = explanation.decidingRule;
    say(
      `${explanation.allowed ? 'allowed' : 'denied'}${explanation.reason ? ` (${explanation.reason})` : ''}`,
      `deciding rule: ${rule ? JSON.stringify(rule) : '-'}`,
      ...explanation.failedWhen.map(
        (f) => `not met: ${f.ruleId ?? '-'} ${f.reason}${f.detail ? ` — ${f.detail}` : ''}`,
      ),
      `policy version: ${explanation.policyVersion}`,
    );
  }
  return EXIT.ok;
}

function validAddress(ip: string): boolean {
  try {
    return ip.length > 0 && !ip.includes('/') && new CidrSet([ip]).size === 1;
  } catch {
    return false;
  }
}
