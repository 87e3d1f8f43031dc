/**
 * The Passport strategy of nestjs-session-security (`nestjs-session-security/passport`). It needs
 * the optional `@nestjs/passport`, `passport` and `passport-strategy`.
 */
export { SessionTokenStrategy } from '../session/session-token.strategy.js';
