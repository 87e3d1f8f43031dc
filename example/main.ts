import 'reflect-metadata';
import { readConfig } from './config.js';
import { createExampleApp } from './create-app.js';

async function main(): Promise<void> {
  const config = readConfig();
  const app = await createExampleApp(config, { logger: ['log', 'error', 'warn'] });
  await app.listen(config.port, '127.0.0.1');
  console.log(`listening on http://127.0.0.1:${config.port}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
