/**
 * The one startup error of the options pipeline: every problem found, each a line naming its
 * option by its path (`session.idleTimeout: ...`) and how to fix it.
 *
 * @example
 * try { resolveOptions(options) } catch (e) { if (e instanceof SessionSecurityOptionsError) console.error(e.problems) }
 */
export class SessionSecurityOptionsError extends Error {
  /** One `path: problem` line per problem. */
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Invalid SessionSecurityModule options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SessionSecurityOptionsError';
    this.problems = problems;
  }
}
