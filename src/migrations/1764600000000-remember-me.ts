import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { big, text } from './portable-columns.js';

/**
 * Remember-me: the kind of each session (`standard`, `remembered`, `impersonation`; existing
 * rows are `standard`), when its current token was issued, its last re-authentication, and
 * `ss_retired_token`, the hashes a remembered session's token had before it rotated (replay
 * detection). Portable column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class RememberMe1764600000000 implements MigrationInterface {
  name = 'RememberMe1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('ss_session', [
      new TableColumn({ ...text('kind', 16), default: "'standard'" }),
      new TableColumn(big('tokenIssuedAt', true)),
      new TableColumn(big('reauthenticatedAt', true)),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'ss_retired_token',
        columns: [
          { ...text('tokenHash', 64), isPrimary: true },
          text('sessionId', 36),
          text('userId', 128),
          big('retiredAt'),
          big('expiresAt'),
        ],
        indices: [{ name: 'ss_retired_token_expires_idx', columnNames: ['expiresAt'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_retired_token');
    await queryRunner.dropColumn('ss_session', 'reauthenticatedAt');
    await queryRunner.dropColumn('ss_session', 'tokenIssuedAt');
    await queryRunner.dropColumn('ss_session', 'kind');
  }
}
