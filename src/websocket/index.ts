/**
 * The `ws` adapter of nestjs-session-security. Import it from here, not from the main entry point:
 * it needs the optional `@nestjs/platform-ws` and `ws`. socket.io: `./socket-io.js`.
 */
export { SessionWsAdapter } from './session-ws.adapter.js';
