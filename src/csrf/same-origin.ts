import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether Fetch Metadata and `Origin` agree a request (or WebSocket handshake) comes from this
 * site: not `Sec-Fetch-Site: cross-site`, and an `Origin`, when sent, that is this host or one of
 * `allowedOrigins`. The CSRF guard and the WebSocket handshake share this rule.
 *
 * @example isSameOrigin({ host: 'app.test', origin: 'https://app.test' }, new Set()) // true
 */
export function isSameOrigin(headers: IncomingHttpHeaders, allowedOrigins: Set<string>): boolean {
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  if (site === 'cross-site') return false;
  if (origin === undefined) return site !== 'same-site';
  if (origin === 'null') return false;
  if (allowedOrigins.has(origin)) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
