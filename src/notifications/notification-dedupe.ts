import { createHash, randomUUID } from 'node:crypto';

/**
 * The stored `dedupeKey` of a notification. With a caller key it is the SHA-256 (hex) of user,
 * type and key together, so the same key sent twice for the same user and type is one
 * notification, while the same key for another user or another type is not suppressed. Without a
 * caller key every call gets a fresh random key, i.e. no deduplication.
 *
 * @example
 * notificationDedupeKey('u-42', 'session_revoked', 'session:3f2a…'); // '9c1e…' (64 hex chars)
 * notificationDedupeKey('u-42', 'password_changed'); // random, never equal to another call
 */
export function notificationDedupeKey(userId: string, type: string, key?: string): string {
  const material = key === undefined ? ['random', randomUUID()] : ['key', userId, type, key];
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}
