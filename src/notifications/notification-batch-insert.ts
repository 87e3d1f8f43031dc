import type { DataSource } from 'typeorm';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { SessionNotification } from './notification.entity.js';

/** A delivery row every new notification of a batch gets: `delivered` for the in-app inbox. */
export interface BatchDeliveryRow {
  channel: string;
  status: 'pending' | 'delivered';
  deliveredAt: number | null;
}

/** What {@link insertBatchPostgres} stored. */
export interface BatchInsertResult {
  /** Ids of the notifications that were new (their dedupe key was not stored yet). */
  created: string[];
  /** Their deliveries still to be made. */
  pending: Array<{ notificationId: string; channel: string }>;
}

const quoted = (
  dataSource: DataSource,
  entity: typeof SessionNotification | typeof NotificationDelivery,
) =>
  dataSource
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => `"${part}"`)
    .join('.');

/**
 * PostgreSQL: a batch's notifications and their deliveries in one statement — the rows go in as
 * arrays (`unnest`), `ON CONFLICT ("dedupeKey") DO NOTHING` skips every notification sent
 * before (also one a concurrent run is inserting: it waits for that commit), and only the new
 * ones get delivery rows. One round trip however large the batch, no per-row work in Node.
 *
 * @example
 * const { created, pending } = await insertBatchPostgres(dataSource, notifications, { createdAt, deliveredVia: ['in_app'] }, [
 *   { channel: 'in_app', status: 'delivered', deliveredAt: createdAt },
 *   { channel: 'webhook', status: 'pending', deliveredAt: null },
 * ]);
 */
export async function insertBatchPostgres(
  dataSource: DataSource,
  notifications: Array<
    Pick<SessionNotification, 'id' | 'userId' | 'type' | 'payload' | 'dedupeKey'>
  >,
  shared: Pick<SessionNotification, 'createdAt' | 'deliveredVia'>,
  deliveries: BatchDeliveryRow[],
): Promise<BatchInsertResult> {
  if (notifications.length === 0) return { created: [], pending: [] };
  const table = quoted(dataSource, SessionNotification);
  const deliveryTable = quoted(dataSource, NotificationDelivery);
  const [result] = (await dataSource.query(
    `WITH inserted AS (
       INSERT INTO ${table} ("id", "userId", "type", "payload", "createdAt", "readAt",
                             "deliveredVia", "dedupeKey")
       SELECT t.id, t.uid, t.type, t.payload, $5::bigint, NULL, $6, t.key
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $7::text[])
              AS t(id, uid, type, payload, key)
       ON CONFLICT ("dedupeKey") DO NOTHING
       RETURNING "id"),
     deliveries AS (
       INSERT INTO ${deliveryTable} ("notificationId", "channel", "status", "attempts",
                                     "deliveredAt")
       SELECT i.id, c.channel, c.status, 0, c.at
         FROM inserted AS i
        CROSS JOIN unnest($8::text[], $9::text[], $10::bigint[]) AS c(channel, status, at)
       RETURNING "notificationId", "channel", "status")
     SELECT (SELECT json_agg("id") FROM inserted) AS created,
            (SELECT json_agg(json_build_array("notificationId", "channel")) FROM deliveries
              WHERE "status" = 'pending') AS pending`,
    [
      notifications.map((n) => n.id),
      notifications.map((n) => n.userId),
      notifications.map((n) => n.type),
      notifications.map((n) => JSON.stringify(n.payload)),
      shared.createdAt,
      JSON.stringify(shared.deliveredVia),
      notifications.map((n) => n.dedupeKey),
      deliveries.map((d) => d.channel),
      deliveries.map((d) => d.status),
      deliveries.map((d) => d.deliveredAt),
    ],
  )) as Array<{ created: string[] | null; pending: Array<[string, string]> | null }>;
  return {
    created: result.created ?? [],
    pending: (result.pending ?? []).map(([notificationId, channel]) => ({
      notificationId,
      channel,
    })),
  };
}
