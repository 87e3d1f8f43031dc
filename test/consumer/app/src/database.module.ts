import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sessionSecurityEntities, sessionSecurityMigrations } from 'nestjs-session-security';

const schema = process.env.CONSUMER_SCHEMA ?? 'public';

/** The app's own DataSource on a schema of its own, migrated with the module's migrations. */
@Module({
  providers: [
    {
      provide: DataSource,
      useFactory: async (): Promise<DataSource> => {
        const dataSource = await new DataSource({
          type: 'postgres',
          url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          schema,
          extra: { options: `-c search_path=${schema}` },
          entities: [...sessionSecurityEntities],
          migrations: [...sessionSecurityMigrations],
        }).initialize();
        await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await dataSource.runMigrations({ transaction: 'each' });
        return dataSource;
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule {}
