import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { text } from './portable-columns.js';

/**
 * Impersonation: who holds an impersonation session (`kind = 'impersonation'`) as the user — the
 * impersonator's user id and session id — and the reason they gave. `NULL` on every other
 * session. Portable column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class Impersonation1764700000000 implements MigrationInterface {
  name = 'Impersonation1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('ss_session', [
      new TableColumn(text('impersonatorId', 128, true)),
      new TableColumn(text('impersonatorSessionId', 36, true)),
      new TableColumn(text('impersonationReason', 500, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('ss_session', 'impersonationReason');
    await queryRunner.dropColumn('ss_session', 'impersonatorSessionId');
    await queryRunner.dropColumn('ss_session', 'impersonatorId');
  }
}
