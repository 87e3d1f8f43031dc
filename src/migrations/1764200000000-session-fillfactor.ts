import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Share of each sessions-table page PostgreSQL fills on insert; the rest is kept for updates. */
export const SESSION_FILLFACTOR = 85;

/**
 * PostgreSQL only: sessions are updated in place all the time (touch, revocation, re-auth) and
 * none of those columns is indexed, so with free room on the page the update stays on the page
 * without touching any index (a HOT update). Applies to pages written from now on; `VACUUM FULL
 * ss_session` rewrites existing ones. No-op on SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class SessionFillfactor1764200000000 implements MigrationInterface {
  name = 'SessionFillfactor1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    await queryRunner.query(
      `ALTER TABLE ${sessionsTable(queryRunner)} SET (fillfactor = ${SESSION_FILLFACTOR})`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    await queryRunner.query(`ALTER TABLE ${sessionsTable(queryRunner)} RESET (fillfactor)`);
  }
}

function sessionsTable(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  return schema ? `"${schema.replace(/"/g, '""')}"."ss_session"` : '"ss_session"';
}
