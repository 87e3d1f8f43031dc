import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { text } from './portable-columns.js';

/**
 * Impersonation: who holds an impersonation session (`kind = 'impersonation'`) as the user — the
 * impersonator's user id and session id — and the reason they gave. `NULL` on every other
 * session. Portable column types, for PostgreSQL and SQLite. The index finds an impersonator's
 * live impersonations when their own account is disabled or their permissions change.
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
    await queryRunner.createIndex(
      'ss_session',
      new TableIndex({ name: 'IDX_ss_session_impersonator', columnNames: ['impersonatorId'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('ss_session', 'IDX_ss_session_impersonator');
    await queryRunner.dropColumn('ss_session', 'impersonationReason');
    await queryRunner.dropColumn('ss_session', 'impersonatorSessionId');
    await queryRunner.dropColumn('ss_session', 'impersonatorId');
  }
}
