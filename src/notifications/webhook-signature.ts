import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-signature';
/** Header carrying the send time in epoch milliseconds (also `timestamp` in the signed body). */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-signature-timestamp';
/** Header carrying the notification id, for receivers to drop a redelivered duplicate. */
export const WEBHOOK_ID_HEADER = 'x-notification-id';

/**
 * The `X-Signature` value of a webhook body: `sha256=` and the hex HMAC-SHA256 of the exact bytes
 * sent, keyed with the shared secret.
 *
 * @example
 * signWebhookBody('{"id":"n-1"}', secret); // 'sha256=5d41…'
 */
export function signWebhookBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Checks an `X-Signature` header against the raw body in constant time. Receivers must verify the
 * bytes as received, before any JSON parsing, and should then reject a `timestamp` (inside the
 * signed body) older than a few minutes to stop replays.
 *
 * @example
 * if (!verifyWebhookSignature(req.rawBody, req.headers['x-signature'], secret)) res.status(401);
 */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signWebhookBody(rawBody, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
