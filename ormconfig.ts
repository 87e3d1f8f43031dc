import { DataSource } from 'typeorm';
import { readConfig } from './example/config.js';
import { exampleDataSourceOptions } from './example/data-source.js';

/**
 * DataSource for the TypeORM CLI (`npm run migration:run`): the example app's database, i.e.
 * PostgreSQL at `DATABASE_URL`, or the embedded SQLite file.
 */
export default new DataSource(exampleDataSourceOptions(readConfig()));
