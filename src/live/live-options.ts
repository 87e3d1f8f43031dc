import { parseDuration, type Duration } from '../common/duration.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';

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

/**
 * Validates `live` at startup.
 *
 * @throws SessionSecurityOptionsError naming the bad option
 * @example resolveLiveOptions({ sweepInterval: '10s' }) // { sweepIntervalMs: 10000 }
 */
export function resolveLiveOptions(raw: unknown): ResolvedLiveOptions {
  if (raw === undefined) return { sweepIntervalMs: 30_000 };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SessionSecurityOptionsError([
      'live: must be an object like { sweepInterval: "30s" }',
    ]);
  }
  const { sweepInterval, ...unknown } = raw as LiveConnectionOptions;
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw new SessionSecurityOptionsError([
      `live: unknown option(s) ${extra.map((k) => `'${k}'`).join(', ')}`,
    ]);
  }
  let ms: number;
  try {
    ms = parseDuration(sweepInterval ?? '30s', 'live.sweepInterval');
  } catch (error) {
    throw new SessionSecurityOptionsError([(error as Error).message]);
  }
  if (ms < 1_000 || ms > 3_600_000) {
    throw new SessionSecurityOptionsError(['live.sweepInterval: must be from 1s to 1h']);
  }
  return { sweepIntervalMs: ms };
}
