/**
 * The socket.io adapter of nestjs-session-security. Import it from here: it needs the optional
 * `@nestjs/platform-socket.io`.
 */
export { SessionIoAdapter } from './session-io.adapter.js';
