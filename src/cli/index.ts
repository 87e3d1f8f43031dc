// `nestjs-session-security/cli`: what an app needs to point the `session-security` CLI at itself.
export { defineSessionSecurityCli } from './define-cli.js';
export type {
  SessionSecurityCliConfig,
  SessionSecurityCliMode,
  SessionSecurityCliModule,
} from './define-cli.js';
