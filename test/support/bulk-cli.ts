import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The CLI compiled once into a temporary directory (ESM, with the repo's node_modules). */
export interface BuiltCli {
  main: string;
  remove(): Promise<void>;
}

/** Compiles `tsconfig.build.json` into a temporary directory; about five seconds. */
export async function buildCli(): Promise<BuiltCli> {
  const root = resolve('.');
  const dir = await mkdtemp(join(tmpdir(), 'ss-cli-'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await new Promise<void>((done, fail) =>
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dir],
      { cwd: root },
      (error, stdout) => (error && !stdout.includes('error') ? fail(error) : done()),
    ),
  );
  return {
    main: join(dir, 'src/cli/main.js'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` and `env` (stdin is a pipe, so never a TTY). */
export function runCli(
  main: string,
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
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
