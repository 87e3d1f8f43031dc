import { userInfo } from 'node:os';
import { CliExit, EXIT } from './cli-io.js';

/**
 * Who runs the command, as the audit log and the job record it: `--actor <name>`, or
 * `cli:<os user>`. A user the OS cannot name is `cli:uid-<uid>`, never "unknown".
 *
 * @example cliActor(undefined); // 'cli:alice'
 */
export function cliActor(flag: string | undefined): string {
  if (flag !== undefined) {
    const actor = flag.trim();
    // eslint-disable-next-line no-control-regex
    if (actor.length < 1 || actor.length > 128 || /[\u0000-\u001f\u007f]/.test(actor)) {
      throw new CliExit(EXIT.usage, '--actor: 1 to 128 printable characters');
    }
    return actor;
  }
  try {
    const { username } = userInfo();
    if (username) return `cli:${username}`;
  } catch {
    // no passwd entry for this uid (e.g. a container): fall back to the uid
  }
  const uid = process.getuid?.();
  return uid === undefined ? `cli:pid-${process.pid}` : `cli:uid-${uid}`;
}
