import type { INestApplicationContext } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
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
