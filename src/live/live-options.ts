import { z } from 'zod';
import type { Duration } from '../common/duration.js';
import { durationOption } from '../options/option-schemas.js';
import { parseSection } from '../options/option-issues.js';

/** Options of live connections (WebSocket, SSE): `live` in the module options. */
export interface LiveConnectionOptions {
  /**
   * How often every open connection is re-checked against the session store, which ends those
   * whose session expired or whose signal was lost (default `'30s'`, from `'1s'` to `'1h'`).
   */
  sweepInterval?: Duration;
}

/** The validated live options. */
export interface ResolvedLiveOptions {
  sweepIntervalMs: number;
}

/** The `live` section of the options pipeline. */
export const liveSection = z
  .strictObject({ sweepInterval: durationOption('30s', { min: 1_000, max: 3_600_000 }) })
  .transform(({ sweepInterval }): ResolvedLiveOptions => ({ sweepIntervalMs: sweepInterval }));

/**
 * Validates `live` on its own (the module does it in its options pipeline).
 *
 * @throws SessionSecurityOptionsError naming the bad option
 * @example resolveLiveOptions({ sweepInterval: '10s' }) // { sweepIntervalMs: 10000 }
 */
export function resolveLiveOptions(raw: unknown): ResolvedLiveOptions {
  return parseSection('live', liveSection, raw ?? {});
}

declare module '../options/resolved-options.js' {
  /** The `live` slice of the resolved options, filled by `resolveOptions()`. */
  interface ResolvedOptions {
    live: ResolvedLiveOptions;
  }
}
