/** Why a live connection ended: the denial code and, for re-authentication, its reason. */
export interface LiveConnectionEnd {
  /** `session_revoked`, `session_expired`, `session_required` or `reauth_required`. */
  code: string;
  /** For `reauth_required`: `permissions_changed` or `suspicious_change`. */
  reason?: string;
}

/** A long-lived connection (WebSocket, SSE stream) and the session it depends on. */
export interface LiveConnectionInit {
  sessionId: string;
  userId: string;
  tenantId: string | null;
  roles: readonly string[];
  /** SHA-256 of the token the connection was opened with. */
  tokenHash: string;
  /** `ws`, `socket.io`, `sse`, ... (for logs). */
  kind: string;
  /** Ends the connection; called at most once. */
  end(why: LiveConnectionEnd): void;
}

/** The registry's handle of a registered connection. */
export interface LiveConnectionHandle {
  /** Forgets the connection (it closed on its own); ending it is no longer possible. */
  release(): void;
}

/** The end code of connections closed because the app shuts down (WebSocket close 1001). */
export const LIVE_SHUTDOWN = 'shutdown';
