/**
 * The notification types the library sends itself. Apps may use any other type matching
 * `/^[a-z][a-z0-9_.-]{0,63}$/`.
 *
 * @example
 * await notifications.notify(userId, NotificationTypes.passwordChanged, {}, { dedupeKey: eventId });
 */
export const NotificationTypes = {
  reauthRequired: 'reauth_required',
  sessionRevoked: 'session_revoked',
  newSignIn: 'new_sign_in',
  passwordChanged: 'password_changed',
  sessionTheftDetected: 'session_theft_detected',
  impersonationStarted: 'impersonation_started',
} as const;

/** A built-in notification type, or any app-defined one. */
export type NotificationType =
  (typeof NotificationTypes)[keyof typeof NotificationTypes] | (string & {});

const TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Throws a `RangeError` naming the problem when `type` is not a valid notification type.
 *
 * @example
 * assertNotificationType('new_sign_in'); // ok
 */
export function assertNotificationType(type: string): void {
  if (!TYPE.test(type)) {
    throw new RangeError(`type: '${type}' must match ${TYPE} (e.g. 'new_sign_in')`);
  }
}
