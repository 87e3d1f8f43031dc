import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const ms = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });

/** Sessions, per-user markers and revocation markers; portable across PostgreSQL and SQLite. */
export class SessionCore1763800000000 implements MigrationInterface {
  name = 'SessionCore1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ss_session',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tokenHash', type: 'varchar', length: '64' },
          { name: 'userId', type: 'varchar', length: '128' },
          { name: 'tenantId', type: 'varchar', length: '128', isNullable: true },
          { name: 'roles', type: 'text' },
          { name: 'authzVersion', type: 'integer', default: 0 },
          ms('createdAt'),
          ms('lastSeenAt'),
          ms('idleExpiresAt'),
          ms('absoluteExpiresAt'),
          ms('authenticatedAt'),
          { name: 'authLevel', type: 'varchar', length: '32' },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'userAgent', type: 'varchar', length: '512', isNullable: true },
          { name: 'data', type: 'text' },
          ms('revokedAt', true),
          { name: 'revokedReason', type: 'varchar', length: '64', isNullable: true },
          ms('reauthRequiredAt', true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ss_session',
      new TableIndex({
        name: 'ss_session_token_hash_uq',
        columnNames: ['tokenHash'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'ss_session',
      new TableIndex({ name: 'ss_session_user_idx', columnNames: ['userId', 'createdAt'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_session_user_state',
        columns: [
          { name: 'userId', type: 'varchar', length: '128', isPrimary: true },
          { name: 'authzVersion', type: 'integer', default: 0 },
          ms('notBefore', true),
          ms('disabledAt', true),
          ms('updatedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_revocation_marker',
        columns: [
          { name: 'scope', type: 'varchar', length: '16', isPrimary: true },
          { name: 'value', type: 'varchar', length: '128', isPrimary: true },
          ms('notBefore'),
          { name: 'reason', type: 'varchar', length: '256' },
          { name: 'actor', type: 'varchar', length: '128', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ss_cache_outbox',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'payload', type: 'text' },
          ms('createdAt'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ss_cache_outbox');
    await queryRunner.dropTable('ss_revocation_marker');
    await queryRunner.dropTable('ss_session_user_state');
    await queryRunner.dropTable('ss_session');
  }
}
