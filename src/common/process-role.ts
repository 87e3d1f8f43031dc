/**
 * What this process does with the module: serve the app (`'app'`, the default), run one
 * operations command (`'cli'`: no job processing, invalidations handed to the running app) or
 * process the app's jobs (`'worker'`: every queue's worker on). The `session-security` CLI sets it
 * before it loads the app's module, so `SessionSecurityModule.forRoot` needs no flag of the app's.
 *
 * @example if (processRole() === 'worker') logger.log('processing jobs');
 */
export type SessionSecurityProcessRole = 'app' | 'cli' | 'worker';

// On globalThis, so a second copy of the package in the same process sees the same role.
const KEY = Symbol.for('nestjs-session-security.process-role');
type Holder = { [KEY]?: SessionSecurityProcessRole };

/** The role of this process; `'app'` unless the CLI set another. */
export function processRole(): SessionSecurityProcessRole {
  return (globalThis as Holder)[KEY] ?? 'app';
}

/**
 * Sets the role of this process; the CLI calls it before importing the app's module.
 *
 * @example setProcessRole('worker');
 */
export function setProcessRole(role: SessionSecurityProcessRole): void {
  (globalThis as Holder)[KEY] = role;
}
