import type { NotificationChannel } from '../../src/notifications/notification-channel.interface.js';
import type { SessionNotification } from '../../src/notifications/notification.entity.js';

/** An app-defined channel that counts deliveries per notification, optionally slowly. */
export class RecordingChannel implements NotificationChannel {
  readonly name = 'recorder';
  readonly calls = new Map<string, number>();
  delayMs = 0;

  async deliver(notification: SessionNotification): Promise<void> {
    this.calls.set(notification.id, (this.calls.get(notification.id) ?? 0) + 1);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }

  count(notificationId: string): number {
    return this.calls.get(notificationId) ?? 0;
  }
}

/** Polls `check` until it stops throwing (or `timeoutMs` passes, then rethrows its error). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
