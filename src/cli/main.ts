#!/usr/bin/env node
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createCliContext } from './cli-context.js';
import {
  auditTailCommand,
  auditVerifyCommand,
  checkRevokeFlags,
  jobCommand,
  jobsCommand,
  policyExplainCommand,
  revokeCommand,
} from './cli-commands.js';
import { CliExit, EXIT } from './cli-io.js';
import { workerCommand } from './worker.command.js';

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs one command inside a booted context, always closing it; returns the exit code. */
async function withContext(
  work: (context: INestApplicationContext) => Promise<number>,
  worker = false,
): Promise<number> {
  const context = await createCliContext({ env: process.env, worker });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

let exitCode: number = EXIT.ok;
const run =
  <A extends unknown[]>(work: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    exitCode = await work(...args);
  };

const program = new Command('session-security')
  .description('Operations CLI of nestjs-session-security (bulk revocation, audit, policy)')
  .exitOverride()
  .showHelpAfterError();

program
  .command('revoke')
  .description('revoke live sessions matching a filter (criteria combine with AND)')
  .option('--user <id...>', 'user ids')
  .option('--role <role>', 'role (repeat for any of several)', collect)
  .option('--tenant <tenant>', 'tenant id')
  .option('--created-before <iso>', 'sessions created before this ISO date-time')
  .option('--authenticated-before <iso>', 'sessions authenticated before this ISO date-time')
  .option('--ip <cidr>', 'client IP in this CIDR')
  .option('--user-agent <text>', 'user agent contains (case-insensitive)')
  .option('--all', 'every live session')
  .option('--reason <text>', 'why (recorded in the audit log; required)')
  .option('--dry-run', 'count and show a sample; change nothing')
  .option('--yes', 'do not ask for confirmation')
  .option(
    '--idempotency-key <key>',
    'a key of yours: run again with the same key and it reports the job the first run started',
  )
  .action(
    run((flags) => {
      checkRevokeFlags(flags);
      return withContext((context) => revokeCommand(context, flags));
    }),
  );

program
  .command('jobs')
  .description('list recent revocation jobs')
  .option('-n, --limit <n>', 'how many', integer, 20)
  .action(run((flags) => withContext((context) => jobsCommand(context, flags.limit))));

program
  .command('job <id>')
  .description('show a revocation job; exit 1 if it failed')
  .option('--follow', 'show a progress bar until the job ends')
  .action(run((id, flags) => withContext((context) => jobCommand(context, id, !!flags.follow))));

program
  .command('worker')
  .description('process every queue of the module (Bull) until SIGINT/SIGTERM; needs Redis')
  .action(run(() => withContext(workerCommand, true)));

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description('verify the hash chain; exit 1 naming the first broken seq')
  .action(run(() => withContext(auditVerifyCommand)));
audit
  .command('tail')
  .description('the last events')
  .option('-n <n>', 'how many', integer, 20)
  .action(run((flags) => withContext((context) => auditTailCommand(context, flags.n))));

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
  .action(run((flags) => withContext((context) => policyExplainCommand(context, flags))));

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
