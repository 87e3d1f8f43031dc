import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { big } from './portable-columns.js';

/**
 * Theft signals: the client fingerprint each session was issued to (`fingerprint`, JSON of its
 * user-agent family, network and country; `null` on existing rows, which are not judged) and
 * `suspiciousChangeAt`, set while a changed signal asks for step-up re-authentication. Portable
 * column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class TheftSignals1764800000000 implements MigrationInterface {
  name = 'TheftSignals1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('ss_session', [
      new TableColumn({ name: 'fingerprint', type: 'text', isNullable: true }),
      new TableColumn(big('suspiciousChangeAt', true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('ss_session', 'suspiciousChangeAt');
    await queryRunner.dropColumn('ss_session', 'fingerprint');
  }
}
