import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { big, text } from './portable-columns.js';

/**
 * Notifications (the in-app inbox, one row per notification, unique by `dedupeKey`) and their
 * deliveries (one row per notification and channel). Portable column types only, so it runs on
 * PostgreSQL and SQLite alike.
 *
 * @example
 * new DataSource({ ..., migrations: [...notificationMigrations], migrationsRun: true });
 */
export class Notifications1764000000000 implements MigrationInterface {
  name = 'Notifications1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_notification',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('userId', 128),
          text('type', 64),
          { name: 'payload', type: 'text' },
          big('createdAt'),
          big('readAt', true),
          { name: 'deliveredVia', type: 'text' },
          text('dedupeKey', 64),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ss_notification',
      new TableIndex({ name: 'ss_notification_user_idx', columnNames: ['userId', 'createdAt'] }),
    );
    await queryRunner.createIndex(
      'ss_notification',
      new TableIndex({
        name: 'ss_notification_dedupe_uq',
        columnNames: ['dedupeKey'],
        isUnique: true,
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_notification_delivery',
        columns: [
          { ...text('notificationId', 36), isPrimary: true },
          { ...text('channel', 64), isPrimary: true },
          text('status', 16),
          { name: 'attempts', type: 'integer', default: 0 },
          text('lastError', 512, true),
          big('deliveredAt', true),
          big('leaseUntil', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_notification_delivery');
    await queryRunner.dropTable('ss_notification');
  }
}
