import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { big, text } from './portable-columns.js';

/**
 * Permission changes and the state of their background jobs (`ss_permission_change`). Portable
 * column types only, so it runs on PostgreSQL and SQLite alike.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class PermissionChanges1764250000000 implements MigrationInterface {
  name = 'PermissionChanges1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_permission_change',
        columns: [
          { ...text('userId', 128), isPrimary: true },
          { name: 'authzVersion', type: 'integer', isPrimary: true },
          text('reason', 256),
          text('actor', 128, true),
          big('changedAt'),
          text('state', 16),
          { name: 'markedSessions', type: 'integer', default: 0 },
          big('finishedAt', true),
          text('error', 512, true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ss_permission_change',
      new TableIndex({
        name: 'ss_permission_change_state_idx',
        columnNames: ['state', 'changedAt'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_permission_change');
  }
}
