import { createInterface } from 'node:readline/promises';

/**
 * Exit codes of the CLI (documented in docs/operations.md):
 * 0 success; 1 failed (a failed job, a broken audit chain, a job that can no longer be cancelled,
 * an unexpected error); 2 bad usage or input (unknown command, bad flag, unknown job, a
 * destructive command without `--yes` when not on a terminal); 3 configuration (`--config`
 * missing or invalid, the app's module did not start, pending migrations); 4 aborted at the
 * confirmation prompt.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, config: 3, aborted: 4 } as const;

/**
 * An error that ends the CLI with `code` and prints only its message.
 *
 * @example throw new CliExit(EXIT.usage, 'refusing to revoke without --yes when not on a terminal');
 */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asks a yes/no question on the terminal; anything but `y`/`yes` is a no.
 *
 * @example if (!(await confirm('Revoke 120 sessions?'))) return EXIT.aborted;
 */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Asks before a destructive step: `--yes` skips the question; without a terminal and without
 * `--yes` it refuses (exit 2); a "no" ends with exit 4.
 *
 * @example await confirmOrExit(`Cancel job ${id}?`, flags.yes, 'cancel');
 */
export async function confirmOrExit(
  question: string,
  yes: boolean | undefined,
  command: string,
): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new CliExit(
      EXIT.usage,
      `${command}: stdin is not a terminal, so nobody can confirm; pass --yes to ${command} without confirmation`,
    );
  }
  if (!(await confirm(question)))
    throw new CliExit(EXIT.aborted, `${command}: aborted, nothing changed`);
}

/**
 * Prints a value as pretty JSON on stdout (the `--json` output).
 *
 * @example print({ jobId, matched });
 */
export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Prints lines of text on stdout (the human output).
 *
 * @example say('audit chain ok: 12 events checked');
 */
export function say(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Aligned columns, a header line first; cells are shown as text.
 *
 * @example say(...table(['JOB', 'STATE'], [[id, 'waiting']]));
 */
export function table(header: string[], rows: unknown[][]): string[] {
  const text = [
    header,
    ...rows.map((row) =>
      row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...text.map((row) => (row[i] ?? '').length)));
  return text.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}
