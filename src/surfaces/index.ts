/**
 * Surfaces of nestjs-session-security beyond plain controllers (`nestjs-session-security/surfaces`):
 * reading a guarded call off any execution context, keeping a WebSocket handshake on its socket,
 * the errors and close codes the guards answer with there, and response writes that work on an
 * Express response, a Fastify reply or a Node response alike (see docs/surfaces.md).
 */
export { resolveCall, attachHandshake } from './guarded-call.js';
export type { GuardedCall, SurfaceType, RpcTokenExtractor } from './guarded-call.js';
export { SurfaceGraphqlError, WS_CLOSE_UNAUTHORIZED, WS_CLOSE_FORBIDDEN } from './surface-reply.js';
export { appendHeader, headersSent, sendJson, setHeader } from './http-reply.js';
export { answerClientErrorsAsJson } from './client-error-reply.js';
