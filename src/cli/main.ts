#!/usr/bin/env node
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { setProcessRole } from '../common/process-role.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { loadTestPolicy } from '../policy-testing/policy-source.js';
import { PolicyService } from '../policy/policy.service.js';
import { PolicyValidationError } from '../policy/policy-validation.error.js';
import { auditTailCommand, auditVerifyCommand } from './cli-commands.js';
import { cliActor } from './cli-actor.js';
import { reviewCommand } from './review.command.js';
import { loadCliConfig } from './cli-config-loader.js';
import { createCliContext } from './cli-context.js';
import { CliExit, EXIT } from './cli-io.js';
import type { SessionSecurityCliMode } from './define-cli.js';
import { cancelCommand, jobCommand, jobsCommand } from './job.commands.js';
import { policyExplainCommand, policyTestCommand } from './policy.commands.js';
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

/** The global flags every command reads. */
function runOf(): CliRun {
  const global = program.opts<{ actor?: string; json?: boolean }>();
  return { actor: cliActor(global.actor), json: !!global.json };
}

/** Loads the app's config, boots its module for `mode`, runs `work`, always closes. */
async function inApp(work: Work, mode: SessionSecurityCliMode = 'command'): Promise<number> {
  const global = program.opts<{ config?: string }>();
  const run = runOf();
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
  .command('review')
  .description(
    'the permission review: per role what it may do, role changes, unused grants, stale sessions and admins (audited)',
  )
  .option('--format <format>', 'json, csv or text (default text, or json with --json)')
  .option('--unused-days <n>', 'grants not used for this many days (default 90)')
  .option('--recent-days <n>', 'role changes of the last this many days (default 30)')
  .option('--admin-fresh-hours <n>', 'admin sessions not signed in for this long (default 24)')
  .option('--admin-roles <r,...>', "roles that count as admin (default: those with 'manage all')")
  .option('--out <file>', 'write the report to this file (mode 600) instead of stdout')
  .action(action((flags) => inApp((context, run) => reviewCommand(context, flags, run))));

const levels = (text?: string) =>
  text
    ?.split(',')
    .map((level) => level.trim())
    .filter(Boolean);

/** A policy file or module's own engine, for commands that need no app (`--policy`). */
async function offlinePolicy(spec: string, authLevels?: string): Promise<PolicyService> {
  try {
    return new PolicyService(await loadTestPolicy(spec, levels(authLevels)));
  } catch (error) {
    if (error instanceof PolicyValidationError) throw new CliExit(EXIT.usage, error.message);
    throw error;
  }
}

const policy = program.command('policy').description('policy engine: what-if and policy tests');
policy
  .command('explain')
  .description(
    "what if: may the user (or these roles) do it, at that time, from there — every rule of the roles and what became of it (the app's policy, or --policy without starting the app)",
  )
  .option(
    '--as <who>',
    "user:<id> (roles from the app's user directory) or roles, e.g. editor,viewer",
  )
  .option('--user <id>', "user id (for '${user.id}' conditions) when --as gives roles")
  .option('--roles <r,...>', 'comma-separated roles (the same as --as <roles>)')
  .option('--tenant <tenant>', "tenant id (for '${user.tenantId}' conditions)")
  .requiredOption('--action <action>', 'action, e.g. read')
  .requiredOption('--subject <Subject>', 'subject type, e.g. Report')
  .option('--resource <json>', 'attributes of the instance as JSON, e.g. \'{"authorId":"2"}\'')
  .option('--at <iso>', 'evaluate at this ISO date-time (default now)')
  .option('--tz <zone>', 'time zone of an --at without offset (default UTC)')
  .option('--ip <addr>', 'client IP address')
  .option('--country <cc>', 'ISO country code')
  .option('--auth-level <level>', 'authentication level, e.g. mfa')
  .option('--session-age <duration>', 'age of the session, e.g. 9h')
  .option('--remembered <true|false>', 'whether the session is a remembered (remember-me) one')
  .option('--impersonated <true|false>', 'whether an admin is impersonating the user')
  .option(
    '--policy <file>',
    'a policy file (.yaml, .yml, .json) or module (file.js#export): no app',
  )
  .option('--auth-levels <a,b>', 'with --policy: auth levels, weakest first (default password,mfa)')
  .action(
    action(async (flags) => {
      if (flags.policy) {
        const source = { policy: await offlinePolicy(flags.policy, flags.authLevels) };
        return policyExplainCommand(source, flags, runOf());
      }
      return inApp((context, run) =>
        policyExplainCommand(
          {
            policy: context.get(PolicyService),
            users: context.get<symbol, ResolvedOptions>(RESOLVED_OPTIONS).users,
          },
          flags,
          run,
        ),
      );
    }),
  );
policy
  .command('test [files...]')
  .description(
    'run policy test files (default: every *.policy-tests.yaml|yml|json below the current folder) without starting the app; exit 1 naming each failure with a diff',
  )
  .option('--policy <file>', "the policy for every file (default: each file's policy key)")
  .option('--auth-levels <a,b>', 'auth levels, weakest first (default password,mfa)')
  .option('--require-coverage', 'exit 1 when a rule or when branch is never exercised')
  .action(action((files: string[], flags) => policyTestCommand(files, flags, runOf())));

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
