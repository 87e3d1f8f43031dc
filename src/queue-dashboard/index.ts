/**
 * The queue dashboard of nestjs-session-security (`nestjs-session-security/queue-dashboard`). It
 * needs the optional `@bull-board/api` with `@bull-board/express` (or `@bull-board/fastify`).
 */
export { QueueDashboardModule } from './queue-dashboard.module.js';
export type { QueueDashboardOptions } from './queue-dashboard.module.js';
