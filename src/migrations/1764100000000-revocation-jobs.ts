import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { big, text } from './portable-columns.js';

/**
 * Bulk revocation jobs (`ss_revocation_job`): filter, state, counts and keyset cursor. Portable
 * column types only, so it runs on PostgreSQL and SQLite alike.
 *
 * @example
 * new DataSource({ ..., migrations: [...sessionSecurityMigrations, RevocationJobs1764100000000] });
 */
export class RevocationJobs1764100000000 implements MigrationInterface {
  name = 'RevocationJobs1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_revocation_job',
        columns: [
          { ...text('id', 36), isPrimary: true },
          { name: 'filter', type: 'text' },
          text('reason', 256),
          text('actor', 128, true),
          text('state', 16),
          text('effect', 16),
          { name: 'matched', type: 'integer', default: 0 },
          { name: 'revoked', type: 'integer', default: 0 },
          text('cursor', 36, true),
          big('cutoffAt'),
          big('createdAt'),
          big('updatedAt'),
          big('finishedAt', true),
          text('error', 512, true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ss_revocation_job',
      new TableIndex({ name: 'ss_revocation_job_created_idx', columnNames: ['createdAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_revocation_job');
  }
}
