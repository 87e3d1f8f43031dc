/** Largest message accepted by default (16 KiB, like the JSON body limit); larger closes 1009. */
export const DEFAULT_WS_MAX_PAYLOAD = 16 * 1024;

/** A message of the `{event, data}` JSON text protocol, or why a frame is not one. */
export type ParsedFrame =
  { ok: true; event: string; data: unknown } | { ok: false; message: string };

/**
 * Reads one WebSocket frame as a JSON text message `{ "event": name, "data": ... }`. Binary frames,
 * non-JSON text and JSON that is not such an object are refused with a message saying why.
 *
 * @example parseFrame('{"event":"whoami"}') // { ok: true, event: 'whoami', data: undefined }
 */
export function parseFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') {
    return { ok: false, message: 'Binary frames are not accepted: send JSON text {event, data}' };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, message: 'Messages must be JSON text: {"event": name, "data": ...}' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'A message must be a JSON object {"event": name, "data": ...}' };
  }
  const { event, data: payload } = value as { event?: unknown; data?: unknown };
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) {
    return { ok: false, message: '"event" must be a string of 1 to 128 characters' };
  }
  return { ok: true, event, data: payload };
}

/** The `error` message the client gets for a refused frame (400 `invalid_request`). */
export function invalidFrame(message: string) {
  return { event: 'error', data: { statusCode: 400, error: 'invalid_request', message } };
}
