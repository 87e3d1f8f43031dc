import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvalidRequestException } from '../errors/session-security.exception.js';
import { formatPolicyTestReport } from '../policy-testing/format-report.js';
import { formatTrace } from '../policy-testing/format-trace.js';
import { PolicyTestSuiteError } from '../policy-testing/policy-test-suite.error.js';
import { runPolicyTestFiles } from '../policy-testing/run-policy-test-files.js';
import { parsePolicyQuestion } from '../policy/policy-question.js';
import type { PolicyService } from '../policy/policy.service.js';
import { PolicyValidationError } from '../policy/policy-validation.error.js';
import type { SessionUserDirectory } from '../session/session-user-directory.interface.js';
import { CliExit, EXIT, print, say } from './cli-io.js';
import type { CliRun } from './revoke.command.js';

/**
 * Flags of `policy explain`.
 *
 * @example const flags: ExplainFlags = { as: 'editor', action: 'read', subject: 'Report', at: '2026-03-28T23:10', tz: 'Europe/Berlin' };
 */
export interface ExplainFlags {
  /** `user:<id>` (roles from the app's user directory) or comma-separated roles. */
  as?: string;
  user?: string;
  roles?: string;
  tenant?: string;
  action: string;
  subject: string;
  /** Attributes of the instance, as JSON. */
  resource?: string;
  at?: string;
  tz?: string;
  ip?: string;
  country?: string;
  authLevel?: string;
  sessionAge?: string;
  /** `true` or `false`: whether the session is a remembered one. */
  remembered?: string;
  /** `true` or `false`: whether the session is an impersonation one. */
  impersonated?: string;
}

/** What `policy explain` asks: the app's engine and user directory, or a policy file's engine. */
export interface ExplainSource {
  policy: PolicyService;
  users?: SessionUserDirectory;
}

/**
 * `policy explain`: may this user (or these roles) do it, at that time, from there — with every
 * rule of the roles and what became of it.
 */
export async function policyExplainCommand(
  source: ExplainSource,
  flags: ExplainFlags,
  run: CliRun,
): Promise<number> {
  const question: Record<string, unknown> = {
    as: await principalOf(source, flags),
    action: flags.action,
    subject: flags.subject,
    resource: flags.resource === undefined ? undefined : resourceOf(flags.resource),
    at: flags.at,
    tz: flags.tz,
    ip: flags.ip,
    country: flags.country,
    authLevel: flags.authLevel,
    sessionAge: flags.sessionAge,
    remembered: booleanFlag(flags.remembered),
    impersonated: booleanFlag(flags.impersonated),
  };
  let check;
  try {
    check = parsePolicyQuestion(question, Date.now());
  } catch (error) {
    if (error instanceof InvalidRequestException)
      throw new CliExit(EXIT.usage, flagsOf(error.message));
    throw error;
  }
  const trace = source.policy.trace(check.user, check.action, check.subject, check.context);
  if (run.json) print(trace);
  else say(...formatTrace(trace), `policy version: ${trace.policyVersion}`);
  return EXIT.ok;
}

/**
 * Flags of `policy test`.
 *
 * @example const flags: PolicyTestFlags = { policy: 'policy.yaml', requireCoverage: true };
 */
export interface PolicyTestFlags {
  policy?: string;
  authLevels?: string;
  requireCoverage?: boolean;
}

/**
 * `policy test [files...]`: runs policy test files (default: every `*.policy-tests.yaml|yml|json`
 * under the current folder) without starting the app. Exit 1 when a test fails or — with
 * `--require-coverage` — a rule or `when` branch is never exercised; 2 for a bad file or policy.
 */
export async function policyTestCommand(
  files: string[],
  flags: PolicyTestFlags,
  run: CliRun,
): Promise<number> {
  const chosen = files.length > 0 ? files : findTestFiles(process.cwd());
  if (chosen.length === 0) {
    throw new CliExit(
      EXIT.usage,
      `policy test: no files given and no *.policy-tests.yaml, .yml or .json under ${process.cwd()}`,
    );
  }
  const authLevels = flags.authLevels
    ?.split(',')
    .map((level) => level.trim())
    .filter(Boolean);
  let reports;
  try {
    reports = await runPolicyTestFiles(chosen, { policy: flags.policy, authLevels });
  } catch (error) {
    if (error instanceof PolicyTestSuiteError || error instanceof PolicyValidationError) {
      throw new CliExit(EXIT.usage, error.message);
    }
    throw error;
  }
  const passed = reports.every((report) => report.passed);
  const covered = reports.every((report) => report.coverage.complete);
  if (run.json) print({ passed, covered, reports });
  else say(...reports.map((report) => formatPolicyTestReport(report).trimEnd()));
  if (!passed) return EXIT.failed;
  if (flags.requireCoverage && !covered) {
    if (!run.json)
      say('coverage required (--require-coverage): some rules or when branches are not exercised');
    return EXIT.failed;
  }
  return EXIT.ok;
}

async function principalOf(source: ExplainSource, flags: ExplainFlags): Promise<unknown> {
  const tenantId = flags.tenant ?? null;
  if (flags.as?.startsWith('user:')) {
    const id = flags.as.slice('user:'.length);
    if (!source.users) {
      throw new CliExit(
        EXIT.usage,
        `--as user:${id}: looking a user up needs the app's user directory (the module's users option, and no --policy); give roles instead: --as editor,viewer --user ${id}`,
      );
    }
    const principal = await source.users.findById(id);
    if (!principal) throw new CliExit(EXIT.usage, `--as user:${id}: no such user`);
    return {
      id: principal.id,
      roles: principal.roles,
      tenantId: flags.tenant ?? principal.tenantId ?? null,
    };
  }
  const roles = flags.as ?? flags.roles;
  if (roles === undefined) {
    throw new CliExit(EXIT.usage, '--as: required (user:<id>, or roles such as editor,viewer)');
  }
  const list = roles
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return { id: flags.user ?? 'what-if', roles: list, tenantId };
}

function resourceOf(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new CliExit(EXIT.usage, `--resource: not a JSON object '${json}'`);
}

/** `'true'` / `'false'` as booleans; anything else is passed on for the question to refuse. */
function booleanFlag(value: string | undefined): boolean | string | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Question fields as the flags that set them: `sessionAge: …` becomes `--session-age: …`. */
function flagsOf(message: string): string {
  return message
    .split('; ')
    .map((part) =>
      part
        .replace(/^as\.roles/, '--as')
        .replace(/^as\.id/, '--user')
        .replace(/^as\.tenantId/, '--tenant')
        .replace(
          /^([a-zA-Z]+)/,
          (name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        ),
    )
    .join('\n');
}

const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage']);
const TEST_FILE = /\.policy-tests\.(ya?ml|json)$/;

function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (
          !SKIP.has(entry.name) &&
          !entry.name.startsWith('.') &&
          !entry.name.startsWith('dist')
        ) {
          walk(join(dir, entry.name));
        }
      } else if (TEST_FILE.test(entry.name)) found.push(relative(root, join(dir, entry.name)));
    }
  };
  walk(root);
  return found.sort();
}
