import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The cache invalidation sequence: a `seq` on each outbox row and the one-row counter that
 * orders them (`ss_cache_invalidation`, whose row the first writer creates). Portable column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class CacheInvalidationSeq1764300000000 implements MigrationInterface {
  name = 'CacheInvalidationSeq1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'ss_cache_outbox',
      new TableColumn({ name: 'seq', type: 'bigint', isNullable: true }),
    );
    await queryRunner.createIndex(
      'ss_cache_outbox',
      new TableIndex({ name: 'ss_cache_outbox_seq_idx', columnNames: ['seq'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_cache_invalidation',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'bigint', default: 0 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_cache_invalidation');
    await queryRunner.dropIndex('ss_cache_outbox', 'ss_cache_outbox_seq_idx');
    await queryRunner.dropColumn('ss_cache_outbox', 'seq');
  }
}
