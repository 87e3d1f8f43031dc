import type { Clock } from '../common/clock.js';
import { parseDuration, type Duration } from '../common/duration.js';
import type { NotificationChannel } from './notification-channel.interface.js';
import type { SessionNotification } from './notification.entity.js';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  signWebhookBody,
} from './webhook-signature.js';

/** Where and how {@link WebhookChannel} posts. */
export interface WebhookChannelOptions {
  /** `http(s)://` endpoint that receives `POST` requests with a JSON body. */
  url: string;
  /** Shared HMAC secret (at least 32 characters). */
  secret: string;
  /** Give up on one request after this long (default `'5s'`, at most `'60s'`); the job retries. */
  timeout?: Duration;
}

/** The JSON body {@link WebhookChannel} posts; its exact bytes are signed. */
export interface WebhookBody {
  id: string;
  userId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
  /** Send time in epoch milliseconds; equals the `X-Signature-Timestamp` header. */
  timestamp: number;
}

/**
 * POSTs each notification as JSON to one URL, signed with `X-Signature: sha256=<hex HMAC of the
 * raw body>`, with `X-Signature-Timestamp` and `X-Notification-Id` headers. A timeout, network
 * error or non-2xx answer throws, so the delivery job retries with backoff.
 *
 * @example
 * new WebhookChannel({ url: 'https://hooks.example.com/security', secret }, clock);
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';

  constructor(
    private readonly options: WebhookChannelOptions,
    private readonly clock: Clock,
  ) {}

  async deliver(notification: SessionNotification): Promise<void> {
    const timestamp = this.clock.now();
    const body: WebhookBody = {
      id: notification.id,
      userId: notification.userId,
      type: notification.type,
      payload: notification.payload,
      createdAt: notification.createdAt,
      timestamp,
    };
    const raw = JSON.stringify(body);
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(raw, this.options.secret),
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_ID_HEADER]: notification.id,
      },
      body: raw,
      redirect: 'manual',
      signal: AbortSignal.timeout(parseDuration(this.options.timeout ?? '5s', 'webhook.timeout')),
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`webhook answered ${response.status}`);
    }
  }
}
