import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { big, text } from './portable-columns.js';

/**
 * The tamper-evident audit log: events, retention checkpoints and the chain head row. Uses only
 * portable column types so it runs on PostgreSQL and SQLite alike.
 *
 * @example
 * new DataSource({ ..., migrations: [AuditLog1763900000000], migrationsRun: true });
 */
export class AuditLog1763900000000 implements MigrationInterface {
  name = 'AuditLog1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_audit_event',
        columns: [
          { ...big('seq'), isPrimary: true },
          big('at'),
          text('type', 64),
          text('actor', 128, true),
          text('userId', 128, true),
          text('sessionId', 64, true),
          text('ip', 64, true),
          text('userAgent', 512, true),
          text('action', 128, true),
          text('resource', 256, true),
          text('outcome', 32),
          { name: 'details', type: 'text' },
          text('keyId', 64),
          text('prevHash', 64),
          text('hash', 64),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ss_audit_event',
      new TableIndex({ name: 'ss_audit_event_user_idx', columnNames: ['userId', 'seq'] }),
    );
    await queryRunner.createIndex(
      'ss_audit_event',
      new TableIndex({ name: 'ss_audit_event_type_idx', columnNames: ['type', 'seq'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_audit_checkpoint',
        columns: [
          { ...big('seq'), isPrimary: true },
          text('hash', 64),
          big('eventAt'),
          big('createdAt'),
          { name: 'removed', type: 'integer' },
          text('keyId', 64),
          text('mac', 64),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_audit_head',
        columns: [
          { ...text('id', 16), isPrimary: true },
          big('seq'),
          text('hash', 64),
          big('updatedAt'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_audit_head');
    await queryRunner.dropTable('ss_audit_checkpoint');
    await queryRunner.dropTable('ss_audit_event');
  }
}
