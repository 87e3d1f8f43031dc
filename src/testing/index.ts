/** Test helpers of nestjs-session-security (`nestjs-session-security/testing`). */
export { ManualClock } from './manual-clock.js';
