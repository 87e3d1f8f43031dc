import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process-launcher.js';

const run = promisify(execFile);

/** The PostgreSQL server binaries of this machine (`/usr/lib/postgresql/<version>/bin`). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions
    .map((v) => join(root, v, 'bin'))
    .find((dir) => existsSync(`${dir}/initdb`));
  if (!found) throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin`);
  return found;
}

/** As root the server must run as `postgres` (initdb refuses root); otherwise as this user. */
const asOwner = (command: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];

/**
 * A PostgreSQL cluster of the fault suite's own (`initdb` into a temporary directory, on a free
 * loopback port, fsync off) that a scenario may restart or stop; `remove()` stops it and deletes
 * the directory. The machine's shared cluster is never touched.
 *
 * @example const postgres = await PrivatePostgres.start(); await postgres.restart(); postgres.remove();
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = binDir();
    const dir = mkdtempSync(join(tmpdir(), 'faults-pg-'));
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    const postgres = new PrivatePostgres(dir, await freePort(), bin);
    try {
      const [command, args] = asOwner(`${bin}/initdb`, [
        ...['-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
      ]);
      await run(command, args);
      await postgres.pgCtl('start');
    } catch (error) {
      postgres.remove();
      throw error;
    }
    return postgres;
  }

  /** The connection URL of database `name` (default `postgres`). */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** The postmaster's process id (for the exit handlers), or null when it is not running. */
  get pid(): number | null {
    const file = `${this.dir}/data/postmaster.pid`;
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
  }

  /** A fast restart (`pg_ctl restart -m fast`): every connection is cut, the data stays. */
  async restart(): Promise<void> {
    await this.pgCtl('restart');
  }

  /** Runs one statement on database `database` with a short-lived connection. */
  async query<T = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Stops the server at once (`-m immediate`) and deletes its directory; synchronous, for exit handlers. */
  remove(): void {
    if (this.pid !== null) {
      try {
        const [command, args] = asOwner(`${this.bin}/pg_ctl`, [
          ...['-D', `${this.dir}/data`, 'stop', '-m', 'immediate', '-w'],
        ]);
        execFileSync(command, args, { stdio: 'ignore' });
      } catch {
        const pid = this.pid;
        if (pid !== null) process.kill(pid, 'SIGKILL');
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pgCtl(action: 'start' | 'restart'): Promise<void> {
    const options = [
      ...['-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1'],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=300', '-c', 'shared_buffers=64MB'],
    ].join(' ');
    const [command, args] = asOwner(`${this.bin}/pg_ctl`, [
      ...['-D', `${this.dir}/data`, '-l', `${this.dir}/server.log`, '-w', '-t', '60'],
      ...['-m', 'fast', '-o', options, action],
    ]);
    await run(command, args);
  }
}
