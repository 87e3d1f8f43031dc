import type { IncomingHttpHeaders } from 'node:http';

/** Which call the `Origin` belongs to: a WebSocket handshake may also name `wss:` / `ws:`. */
export type OriginSurface = 'http' | 'websocket';

/**
 * Whether Fetch Metadata and `Origin` agree a request (or WebSocket handshake) comes from this
 * site: not `Sec-Fetch-Site: cross-site`, and an `Origin`, when sent, that is exactly one of
 * `allowedOrigins` or has this request's scheme, host and port. The module's cookies are
 * `Secure` (`__Host-`), so this site's scheme is `https:` (`wss:` for a handshake); plain
 * `http:` (`ws:`) counts only for a loopback host, which browsers treat as a secure context.
 * The CSRF guard and the WebSocket handshake share this rule.
 *
 * @example isSameOrigin({ host: 'app.test', origin: 'https://app.test' }, new Set()) // true
 * @example isSameOrigin({ host: 'app.test', origin: 'http://app.test' }, new Set()) // false
 */
export function isSameOrigin(
  headers: IncomingHttpHeaders,
  allowedOrigins: Set<string>,
  surface: OriginSurface = 'http',
): boolean {
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  if (site === 'cross-site') return false;
  if (origin === undefined) return site !== 'same-site';
  if (origin === 'null') return false;
  if (allowedOrigins.has(origin)) return true;
  try {
    const claimed = new URL(origin);
    if (!schemeFits(claimed, surface)) return false;
    const own = new URL(`${claimed.protocol}//${headers.host ?? ''}`);
    return own.host === claimed.host && own.pathname === '/' && !own.username;
  } catch {
    return false;
  }
}

const SECURE: Record<OriginSurface, string[]> = {
  http: ['https:'],
  websocket: ['https:', 'wss:'],
};
const LOOPBACK_ONLY: Record<OriginSurface, string[]> = {
  http: ['http:'],
  websocket: ['http:', 'ws:'],
};

function schemeFits(origin: URL, surface: OriginSurface): boolean {
  if (SECURE[surface].includes(origin.protocol)) return true;
  return LOOPBACK_ONLY[surface].includes(origin.protocol) && isLoopback(origin.hostname);
}

/**
 * Whether a URL host name is loopback: `localhost` (and its subdomains), `127.0.0.0/8` or `[::1]`.
 *
 * @example isLoopback('127.0.0.1') // true
 */
export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
