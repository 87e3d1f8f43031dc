import type { DataSource } from 'typeorm';
import { NotificationBatchService } from '../src/index.js';
import { type BatchNotification } from '../src/notifications/notification-batch.service.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { NotificationDelivery } from '../src/notifications/notification-delivery.entity.js';
import { SessionNotification } from '../src/notifications/notification.entity.js';
import { exampleSuite } from './support/example-app.js';

describe('NotificationBatchService.notifyMany', () => {
  const suite = exampleSuite('notify_many');

  const items = (from: number, to: number): BatchNotification[] =>
    Array.from({ length: to - from }, (_, i) => ({
      userId: `batch-user-${(from + i) % 7}`,
      type: 'session_revoked',
      payload: { sessionId: `s-${from + i}` },
      dedupeKey: `session:s-${from + i}`,
    }));

  it('stores each new notification once across chunks, skips known keys, and records one delivery per channel', async () => {
    const batch = suite.app.app.get(NotificationBatchService);
    const dataSource = suite.app.app.get<DataSource>(SESSION_SECURITY_DATA_SOURCE);
    const first = [...items(0, 250), ...items(0, 10)]; // ten repeated within the batch
    expect(await batch.notifyMany(first)).toBe(250);
    expect(await batch.notifyMany(items(200, 300))).toBe(50); // 200..249 were sent already
    expect(await batch.notifyMany(items(0, 300))).toBe(0);

    const stored = await dataSource
      .getRepository(SessionNotification)
      .createQueryBuilder('n')
      .where(`n.userId LIKE 'batch-user-%'`)
      .getMany();
    expect(stored).toHaveLength(300);
    expect(new Set(stored.map((n) => n.payload.sessionId)).size).toBe(300);
    const deliveries = await dataSource
      .getRepository(NotificationDelivery)
      .createQueryBuilder('d')
      .where('d.notificationId IN (:...ids)', { ids: stored.map((n) => n.id) })
      .getCount();
    expect(deliveries).toBeGreaterThanOrEqual(300); // one per channel (in-app at least)
    expect(deliveries % 300).toBe(0);
  });

  it('refuses a bad type, naming it, before writing anything', async () => {
    const batch = suite.app.app.get(NotificationBatchService);
    await expect(
      batch.notifyMany([{ userId: 'u', type: 'Bad Type', payload: {}, dedupeKey: 'k' }]),
    ).rejects.toThrow("type: 'Bad Type'");
  });
});
