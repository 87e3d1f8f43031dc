import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * `ss_login_lockout`: sign-in lockouts kept in the database beside the Redis attempt counts.
 * Portable column types, for PostgreSQL and SQLite.
 *
 * @example
 * new DataSource({ ..., migrations: sessionSecurityMigrations }); // includes it
 */
export class LoginLockout1764400000000 implements MigrationInterface {
  name = 'LoginLockout1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_login_lockout',
        columns: [
          { name: 'key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'lockedUntil', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_login_lockout');
  }
}
