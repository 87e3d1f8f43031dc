/**
 * One same-origin JSON request: the session cookie goes along (`credentials: 'same-origin'`),
 * the CSRF token in `X-CSRF-Token` when given. Never throws for HTTP errors; returns
 * `{ status, ok, body, headers }` with the parsed JSON body (or `null`).
 *
 * @example const { ok, body } = await send('GET', '/me');
 */
export async function send(method, path, { body, csrfToken } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get('Content-Type') ?? '';
  const parsed = type.includes('application/json') ? await response.json().catch(() => null) : null;
  return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
}

/** The error code of a JSON error body (`session_revoked`, `reauth_required`, ...), if any. */
export function errorCode(result) {
  return result.body && typeof result.body.error === 'string' ? result.body.error : null;
}
