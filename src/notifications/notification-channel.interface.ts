import type { SessionNotification } from './notification.entity.js';

/**
 * A way to reach a user: in-app inbox, webhook, log, or one of the app's own (e-mail, push...).
 * `deliver` resolves once the notification has been handed over and throws to have the delivery
 * retried with backoff. A delivery may be retried after a crash between hand-over and bookkeeping,
 * so channels that talk to the outside world should pass `notification.id` on as an idempotency key.
 *
 * Apps add channels through `notificationProviders({ channels: [...] })`, or by providing one
 * under the `NotificationChannel` token (a channel with DI dependencies of its own).
 *
 * @example
 * class SlackChannel implements NotificationChannel {
 *   readonly name = 'slack';
 *   async deliver(n: SessionNotification) { await slack.post(`${n.type} for ${n.userId}`); }
 * }
 */
export interface NotificationChannel {
  /** Unique, stable name (letters, digits, `_` and `-`, up to 64): stored with each delivery. */
  readonly name: string;
  deliver(notification: SessionNotification): Promise<void>;
  /**
   * Optional: hands over many notifications at once (one request, one write). Resolves once all
   * were handed over; throwing retries the whole page. Without it, a page of deliveries calls
   * `deliver` once per notification, in order.
   */
  deliverMany?(notifications: SessionNotification[]): Promise<void>;
  /** Optional: most notifications per delivery job of this channel (default 500). */
  readonly pageSize?: number;
  /** Optional: delivery jobs of this channel run at once in one process (default 1). */
  readonly concurrency?: number;
}
/** DI token under which an app may provide one extra {@link NotificationChannel}. */
export const NotificationChannel = Symbol('NotificationChannel');
