import { createInterface } from 'node:readline/promises';

/** Exit codes of the CLI: 0 success, 1 failed job or broken audit chain, 2 bad usage or input. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

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
 * @example if (!(await confirm('Revoke 120 sessions?'))) return;
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
 * Prints a value as pretty JSON on stdout.
 *
 * @example print({ jobId, matched });
 */
export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
