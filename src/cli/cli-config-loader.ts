import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliConfigProblem, type SessionSecurityCliConfig } from './define-cli.js';
import { CliExit, EXIT } from './cli-io.js';

/** Environment variable that names the CLI config when `--config` is not given. */
export const CLI_CONFIG_ENV = 'SESSION_SECURITY_CLI_CONFIG';

const HOW = `pass --config <file> (or set ${CLI_CONFIG_ENV}): a .js, .cjs or .mjs file of the app whose default export (or export named 'cli') is defineSessionSecurityCli({ module: AppModule })`;

/**
 * Loads the app's CLI config from `--config` or `SESSION_SECURITY_CLI_CONFIG`: a missing,
 * unloadable or malformed file is a {@link CliExit} with {@link EXIT.config} naming `--config`.
 *
 * @example const config = await loadCliConfig(flags.config, process.env);
 */
export async function loadCliConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<SessionSecurityCliConfig> {
  const given = flag ?? env[CLI_CONFIG_ENV];
  if (!given) throw new CliExit(EXIT.config, `--config: no CLI config given; ${HOW}`);
  const file = resolve(given);
  if (!existsSync(file)) throw new CliExit(EXIT.config, `--config: ${file} does not exist; ${HOW}`);
  if (!/\.(c|m)?js$/.test(file)) {
    throw new CliExit(
      EXIT.config,
      `--config: ${file} is not a .js, .cjs or .mjs file (compile it first)`,
    );
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliExit(EXIT.config, `--config: ${file} failed to load: ${messageOf(error)}`);
  }
  const config = pick(loaded);
  if (config === undefined) {
    throw new CliExit(EXIT.config, `--config: ${file} exports no CLI config; ${HOW}`);
  }
  const problem = cliConfigProblem(config);
  if (problem) throw new CliExit(EXIT.config, `--config: ${file}: ${problem}`);
  return config as SessionSecurityCliConfig;
}

/** The default export or `cli`; a CommonJS file's `exports.default` / `exports.cli` too. */
function pick(loaded: Record<string, unknown>): unknown {
  const inner = loaded.default as Record<string, unknown> | undefined;
  const candidates = [loaded.cli, inner?.cli, inner?.default, inner];
  return candidates.find((c) => typeof c === 'object' && c !== null && 'module' in c);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
