import type { DynamicModule, LogLevel, Type } from '@nestjs/common';

/**
 * What a CLI process is started for: `'command'` (revoke, jobs, audit… — queues jobs, processes
 * none) or `'worker'` (processes every queue of the module until stopped).
 *
 * @example const mode: SessionSecurityCliMode = 'worker';
 */
export type SessionSecurityCliMode = 'command' | 'worker';

/** A Nest module the CLI can build: a module class or a dynamic module, maybe still to come. */
export type SessionSecurityCliModule = Type | DynamicModule | Promise<Type | DynamicModule>;

/**
 * The CLI config an app exports (default export or named `cli`), built by
 * {@link defineSessionSecurityCli}.
 *
 * @example
 * export default defineSessionSecurityCli({ module: AppModule, logger: ['error'] });
 */
export interface SessionSecurityCliConfig {
  /**
   * The app's module that imports `SessionSecurityModule.forRoot` / `forRootAsync` with the app's
   * own DataSource, channels and policy; or a function of the mode that returns it (e.g. to open
   * the DataSource first). The CLI builds it with `NestFactory.createApplicationContext`.
   */
  module: SessionSecurityCliModule | ((mode: SessionSecurityCliMode) => SessionSecurityCliModule);
  /** Nest log levels of the CLI process (default `['error', 'warn']`); `false` for none. */
  logger?: LogLevel[] | false;
  /** Runs before the module is built (load settings, check the environment…). */
  before?: (mode: SessionSecurityCliMode) => void | Promise<void>;
}

const BRAND = Symbol.for('nestjs-session-security.cli-config');

/**
 * Declares how the `session-security` CLI (and its `worker`) loads the app: export the result
 * from a file of the app and pass it with `--config` (or `SESSION_SECURITY_CLI_CONFIG`).
 *
 * @throws TypeError naming `module` / `logger` / `before` when one is not what it must be
 * @example
 * // src/session-security.cli.ts, compiled to dist/session-security.cli.js
 * import { defineSessionSecurityCli } from 'nestjs-session-security/cli';
 * import { AppModule } from './app.module';
 * export default defineSessionSecurityCli({ module: AppModule });
 */
export function defineSessionSecurityCli(
  config: SessionSecurityCliConfig,
): SessionSecurityCliConfig {
  const problem = cliConfigProblem(config);
  if (problem) throw new TypeError(`defineSessionSecurityCli: ${problem}`);
  return Object.assign({ [BRAND]: true }, config);
}

/**
 * What is wrong with a value given as CLI config, or `null` when it is usable.
 *
 * @example cliConfigProblem({}); // "module: required (the app's Nest module)"
 */
export function cliConfigProblem(config: unknown): string | null {
  if (typeof config !== 'object' || config === null) return 'not an object';
  const c = config as Partial<SessionSecurityCliConfig>;
  const module = c.module as unknown;
  const usable =
    typeof module === 'function' ||
    (typeof module === 'object' && module !== null && ('module' in module || 'then' in module));
  if (!usable) return "module: required (the app's Nest module, or a function returning it)";
  if (c.logger !== undefined && c.logger !== false && !Array.isArray(c.logger)) {
    return 'logger: must be an array of log levels or false';
  }
  if (c.before !== undefined && typeof c.before !== 'function') return 'before: must be a function';
  return null;
}

/**
 * The module of a config for a mode: calls `module` when it is a plain function (not a class).
 *
 * @example const root = await cliModuleOf(config, 'command');
 */
export async function cliModuleOf(
  config: SessionSecurityCliConfig,
  mode: SessionSecurityCliMode,
): Promise<Type | DynamicModule> {
  const { module } = config;
  if (typeof module === 'function' && !isClass(module)) {
    return (module as (mode: SessionSecurityCliMode) => SessionSecurityCliModule)(mode);
  }
  return module as SessionSecurityCliModule;
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}
