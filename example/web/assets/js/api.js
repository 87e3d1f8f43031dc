import { errorCode, send } from './http.js';
import { confirmPassword } from './reauth.js';
import { showSignedOut } from './signed-out.js';

const SIGNED_OUT = new Set(['session_revoked', 'session_expired', 'session_required']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A refused request: `status`, the contract's error `code` and the server's `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Thrown after the page switched to "you are signed out"; callers just stop. */
export class SignedOut extends Error {}

let csrfToken = null;

/** Remembers the CSRF token from a login, re-auth or rotation answer. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * Calls the JSON API with the session cookie and, for unsafe methods, the CSRF token (fetched
 * from `GET /auth/csrf` when not known yet). On `reauth_required` it asks for the password in
 * place and retries; on `session_revoked` / `session_expired` / `session_required` it shows
 * that the user is signed out and why. Resolves the response body; throws {@link ApiError}.
 *
 * @example const sessions = await api('GET', '/me/sessions');
 */
export async function api(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    if (UNSAFE.has(method) && !csrfToken) await loadCsrfToken();
    const result = await send(method, path, { body, csrfToken });
    const rotated = result.headers.get('X-CSRF-Token');
    if (rotated) csrfToken = rotated;
    if (result.ok) return result.body;
    const code = errorCode(result) ?? 'http_error';
    if (SIGNED_OUT.has(code)) throw signOut(code, result.body?.reason);
    // A password cannot satisfy `insufficient_level` (a stronger factor is needed): no prompt.
    const askable = code === 'reauth_required' && result.body.reason !== 'insufficient_level';
    if (askable && attempt < 3) {
      if (!csrfToken) await loadCsrfToken();
      const outcome = await confirmPassword(result.body.reason, csrfToken);
      if (outcome.signedOut) throw signOut(outcome.signedOut, outcome.reason);
      if (outcome.cancelled) {
        throw new ApiError(401, 'reauth_cancelled', 'Cancelled: this needs your password.');
      }
      csrfToken = outcome.csrfToken;
      continue;
    }
    if (code === 'csrf_rejected' && UNSAFE.has(method) && attempt === 0) {
      csrfToken = null;
      continue;
    }
    throw new ApiError(result.status, code, result.body?.message ?? `HTTP ${result.status}`);
  }
}

/** `GET /auth/csrf`: answered for any live session, also one that must re-authenticate. */
async function loadCsrfToken() {
  const result = await send('GET', '/auth/csrf');
  const code = errorCode(result);
  if (SIGNED_OUT.has(code)) throw signOut(code, result.body?.reason);
  if (!result.ok) throw new ApiError(result.status, code, result.body?.message ?? 'No CSRF token');
  csrfToken = result.body.csrfToken;
}

function signOut(code, reason) {
  showSignedOut(code, reason);
  return new SignedOut(code);
}
