/**
 * The `ws` adapter of nestjs-session-security. Import it from here, not from the main entry point:
 * it needs the optional `@nestjs/platform-ws` and `ws`. socket.io: `./socket-io.js`.
 */
export { SessionWsAdapter } from './session-ws.adapter.js';
export { HandshakeGate, type AcceptedHandshake, type RefusedHandshake } from './handshake-gate.js';
export { DEFAULT_WS_MAX_PAYLOAD, parseFrame, type ParsedFrame } from './ws-frames.js';
