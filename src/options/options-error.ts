/** A startup error naming the option that is wrong and how to fix it. */
export class SessionSecurityOptionsError extends Error {
  constructor(problems: string[]) {
    super(`Invalid SessionSecurityModule options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SessionSecurityOptionsError';
  }
}
