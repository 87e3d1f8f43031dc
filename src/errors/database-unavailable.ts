import { SessionSecurityException } from './session-security.exception.js';

/** 503: the database cannot be reached; the call neither passed nor failed on its merits. */
export class DatabaseUnavailableException extends SessionSecurityException {
  constructor(message = 'The database is unavailable; try again shortly') {
    super(503, 'service_unavailable', message);
  }
}

/** Socket errors of a connection that could not be opened or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** PostgreSQL SQLSTATEs of a server that is going away, not up yet, or out of connections. */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What the pg driver and TypeORM say when a connection is gone or cannot be had. */
const CONNECTION_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection is not established|Driver not Connected/i;

interface MaybeDriverError {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * Whether an error means the database could not be reached (connection refused, terminated or
 * timed out, the server shutting down, SQLSTATE class `08`), looking through TypeORM's
 * `QueryFailedError` / `DriverError` wrappers (`driverError`), `cause` and `AggregateError`s.
 * Such errors are answered 503 `service_unavailable`, never 500 and never a pass.
 *
 * @example isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P01' })) // true
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: Array<[unknown, number]> = [[error, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (!item || typeof item !== 'object' || depth > 4) continue;
    const { code, message, driverError, cause, errors } = item as MaybeDriverError;
    if (typeof code === 'string' && isUnavailableCode(code)) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    for (const inner of [driverError, cause, ...(Array.isArray(errors) ? errors : [])]) {
      pending.push([inner, depth + 1]);
    }
  }
  return false;
}

function isUnavailableCode(code: string): boolean {
  return NETWORK_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}
