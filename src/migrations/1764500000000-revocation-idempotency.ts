import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Idempotent starts of bulk revocation jobs: the hashed `Idempotency-Key` of the request that
 * started a job (unique, so a retry finds the job instead of starting a second one) and the hash
 * of that request's filter and reason (a reuse of the key for another request is refused).
 * Portable column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class RevocationIdempotency1764500000000 implements MigrationInterface {
  name = 'RevocationIdempotency1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('ss_revocation_job', [
      new TableColumn({ name: 'idempotencyKey', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'requestHash', type: 'varchar', length: '64', isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'ss_revocation_job',
      new TableIndex({
        name: 'ss_revocation_job_idempotency_idx',
        columnNames: ['idempotencyKey'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('ss_revocation_job', 'ss_revocation_job_idempotency_idx');
    await queryRunner.dropColumn('ss_revocation_job', 'requestHash');
    await queryRunner.dropColumn('ss_revocation_job', 'idempotencyKey');
  }
}
