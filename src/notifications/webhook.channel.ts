import { createHash } from 'node:crypto';
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
  /**
   * Events per request when notifications are delivered in pages (a bulk revocation's): one
   * signed {@link WebhookBatchBody} per this many (default 100, 1 to 1000).
   */
  batchSize?: number;
  /** Requests in flight at once from one process (default 2, 1 to 32); the rest wait queued. */
  concurrency?: number;
}

/** One event of a {@link WebhookBatchBody}: a notification, as {@link WebhookBody} has it. */
export interface WebhookEvent {
  id: string;
  userId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
}

/**
 * The JSON body of a batched request: many notifications in one signed POST (header
 * `X-Notification-Id` is the batch `id`). Receivers verify the signature over the raw body as for
 * one event, then handle each of `events`, dropping any whose `id` they have seen (a batch may be
 * sent again after a failure, and a retried batch may hold fewer events).
 */
export interface WebhookBatchBody {
  /** `batch`: tells this body from a single event's {@link WebhookBody}. */
  kind: 'batch';
  /** Hex SHA-256 (first 32) of the events' ids: the same batch sent again has the same id. */
  id: string;
  events: WebhookEvent[];
  /** Send time in epoch milliseconds; equals the `X-Signature-Timestamp` header. */
  timestamp: number;
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
 * raw body>`, with `X-Signature-Timestamp` and `X-Notification-Id` headers — and a page of them
 * (a bulk revocation's) as one {@link WebhookBatchBody} per `batchSize` events, signed the same
 * way, at most `concurrency` requests at once. A timeout, network error or non-2xx answer throws,
 * so the delivery job retries with backoff.
 *
 * @example
 * new WebhookChannel({ url: 'https://hooks.example.com/security', secret }, clock);
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  readonly pageSize: number;
  readonly concurrency: number;

  constructor(
    private readonly options: WebhookChannelOptions,
    private readonly clock: Clock,
  ) {
    this.pageSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 2;
  }

  async deliver(notification: SessionNotification): Promise<void> {
    const timestamp = this.clock.now();
    const body: WebhookBody = { ...eventOf(notification), timestamp };
    await this.post(JSON.stringify(body), notification.id, timestamp);
  }

  /** One signed request for the page: a {@link WebhookBatchBody} (the page is `batchSize` long). */
  async deliverMany(notifications: SessionNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    const timestamp = this.clock.now();
    const events = notifications.map(eventOf);
    const id = createHash('sha256')
      .update(events.map((event) => event.id).join(','))
      .digest('hex')
      .slice(0, 32);
    const body: WebhookBatchBody = { kind: 'batch', id, events, timestamp };
    await this.post(JSON.stringify(body), id, timestamp);
  }

  private async post(raw: string, id: string, timestamp: number): Promise<void> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(raw, this.options.secret),
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_ID_HEADER]: id,
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

function eventOf(notification: SessionNotification): WebhookEvent {
  const { id, userId, type, payload, createdAt } = notification;
  return { id, userId, type, payload, createdAt };
}
