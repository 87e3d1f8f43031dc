import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The CLI compiled once into a temporary directory (ESM, with the repo's node_modules). */
export interface BuiltCli {
  main: string;
  /** The example app's CLI config (`example/session-security.cli.ts`), compiled. */
  exampleConfig: string;
  /** The CLI config of the test app of `test/fixtures/cli-app`, compiled. */
  fixtureConfig: string;
  remove(): Promise<void>;
}

/**
 * Compiles the library, the example and the CLI test app (`test/fixtures/cli-app`) into a
 * temporary directory; a few seconds.
 */
export async function buildCli(): Promise<BuiltCli> {
  const root = resolve('.');
  const dir = await mkdtemp(join(tmpdir(), 'ss-cli-'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await new Promise<void>((done, fail) =>
    execFile(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '-p',
        'test/fixtures/cli-app/tsconfig.json',
        '--outDir',
        dir,
      ],
      { cwd: root },
      (error, stdout) => (error && !stdout.includes('error') ? fail(error) : done()),
    ),
  );
  return {
    main: join(dir, 'src/cli/main.js'),
    exampleConfig: join(dir, 'example/session-security.cli.js'),
    fixtureConfig: join(dir, 'test/fixtures/cli-app/session-security.cli.js'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` and `env` (stdin is a pipe, so never a TTY), in `cwd` if given. */
export function runCli(
  main: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end();
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Starts a long-running CLI command (e.g. `worker`); stop it with `SIGTERM`. */
export function spawnCli(main: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), typing `answer` at its prompt: how an
 * operator at a terminal runs it. Output is the terminal's (stdout and stderr together).
 */
export function runCliOnTerminal(
  main: string,
  args: string[],
  env: Record<string, string>,
  answer: string,
): Promise<CliResult> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, main, ...args].map(quote).join(' ');
  return new Promise((done) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('[y/N]') && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
