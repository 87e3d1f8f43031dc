#!/usr/bin/env node
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { setProcessRole } from '../common/process-role.js';
import { auditTailCommand, auditVerifyCommand, policyExplainCommand } from './cli-commands.js';
import { cliActor } from './cli-actor.js';
import { loadCliConfig } from './cli-config-loader.js';
import { createCliContext } from './cli-context.js';
import { CliExit, EXIT } from './cli-io.js';
import type { SessionSecurityCliMode } from './define-cli.js';
import { cancelCommand, jobCommand, jobsCommand } from './job.commands.js';
import { checkRevokeFlags, revokeCommand, type CliRun } from './revoke.command.js';
import { workerCommand } from './worker.command.js';

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command('session-security')
  .description(
    "Operations CLI of nestjs-session-security: bulk revocation, jobs, audit, policy — run against the app's own module (--config)",
  )
  .option('-c, --config <file>', "the app's CLI config (default: $SESSION_SECURITY_CLI_CONFIG)")
  .option('--actor <name>', 'who is acting, for the audit log and the job (default: cli:<os user>)')
  .option('--json', 'print JSON (for scripts) instead of text')
  .exitOverride()
  .showHelpAfterError();

type Work = (context: INestApplicationContext, run: CliRun) => Promise<number>;

/** Loads the app's config, boots its module for `mode`, runs `work`, always closes. */
async function inApp(work: Work, mode: SessionSecurityCliMode = 'command'): Promise<number> {
  const global = program.opts<{ config?: string; actor?: string; json?: boolean }>();
  const run: CliRun = { actor: cliActor(global.actor), json: !!global.json };
  // Before the app's files are imported: SessionSecurityModule.forRoot reads the role.
  setProcessRole(mode === 'worker' ? 'worker' : 'cli');
  const config = await loadCliConfig(global.config, process.env);
  const context = await createCliContext(config, mode);
  try {
    return await work(context, run);
  } finally {
    await context.close();
  }
}

let exitCode: number = EXIT.ok;
const action =
  <A extends unknown[]>(work: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    exitCode = await work(...args);
  };

program
  .command('revoke')
  .description('revoke live sessions matching a filter (criteria combine with AND); asks first')
  .option('--user <id...>', 'user ids')
  .option('--role <role>', 'role (repeat for any of several)', collect)
  .option('--tenant <tenant>', 'tenant id')
  .option('--created-before <iso>', 'sessions created before this ISO date-time')
  .option('--authenticated-before <iso>', 'sessions authenticated before this ISO date-time')
  .option('--ip <cidr>', 'client IP in this CIDR')
  .option('--user-agent <text>', 'user agent contains (case-insensitive)')
  .option('--all', 'every live session')
  .option('--reason <text>', 'why (recorded in the audit log; required unless --dry-run)')
  .option(
    '--dry-run',
    'show what matches (count, by role, by user, a few sessions); change nothing',
  )
  .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
  .option(
    '--idempotency-key <key>',
    'a key of yours: run again with the same key and it reports the job the first run started',
  )
  .action(
    action((flags) => {
      checkRevokeFlags(flags);
      return inApp((context, run) => revokeCommand(context, flags, run));
    }),
  );

program
  .command('jobs')
  .description('list recent revocation jobs')
  .option('-n, --limit <n>', 'how many', integer, 20)
  .action(action((flags) => inApp((context, run) => jobsCommand(context, flags.limit, run))));

program
  .command('job <id>')
  .description('show a revocation job; exit 1 if it failed')
  .option('--follow', 'show a progress bar until the job ends')
  .action(
    action((id, flags) =>
      inApp((context, run) => jobCommand(context, id, { follow: !!flags.follow }, run)),
    ),
  );

program
  .command('cancel <id>')
  .description('cancel a waiting or running revocation job after its current batch; asks first')
  .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
  .action(action((id, flags) => inApp((context, run) => cancelCommand(context, id, flags, run))));

program
  .command('worker')
  .description("process every queue of the app's module (Bull) until SIGINT/SIGTERM; needs Redis")
  .action(action(() => inApp((context) => workerCommand(context), 'worker')));

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description('verify the hash chain; exit 1 naming the first broken seq')
  .action(action(() => inApp((context, run) => auditVerifyCommand(context, run))));
audit
  .command('tail')
  .description('the last events')
  .option('-n <n>', 'how many', integer, 20)
  .action(action((flags) => inApp((context, run) => auditTailCommand(context, flags.n, run))));

program
  .command('policy')
  .description('policy engine')
  .command('explain')
  .description('may the user do it, and which rule decided')
  .requiredOption('--user <id>', 'user id')
  .requiredOption('--roles <r,...>', 'comma-separated roles')
  .requiredOption('--action <action>', 'action, e.g. read')
  .requiredOption('--subject <Subject>', 'subject type, e.g. Report')
  .option('--at <iso>', 'evaluate at this ISO date-time (default now)')
  .option('--ip <addr>', 'client IP address')
  .option('--country <cc>', 'ISO country code')
  .option('--auth-level <level>', 'authentication level, e.g. mfa')
  .option('--tenant <tenant>', 'tenant id')
  .action(action((flags) => inApp((context, run) => policyExplainCommand(context, flags, run))));

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliExit) {
      process.stderr.write(`${error.message}\n`);
      return error.code;
    }
    process.stderr.write(`error: ${(error as Error)?.message ?? error}\n`);
    return EXIT.failed;
  }
}

main().then((code) => process.exit(code));
