import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Users and articles of the example app. */
export class ExampleSchema1763800000100 implements MigrationInterface {
  name = 'ExampleSchema1763800000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'example_user',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'passwordHash', type: 'varchar', length: '256' },
          { name: 'roles', type: 'text' },
          { name: 'disabled', type: 'boolean', default: false },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'example_article',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'authorId', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('example_article');
    await queryRunner.dropTable('example_user');
  }
}
