import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExampleAppModule, type ExampleRuntime } from '../../example/app.module.js';
import { readConfig } from '../../example/config.js';
import { createHttpApp } from '../../example/create-app.js';
import { openExampleDatabase } from '../../example/data-source.js';
import { seed } from '../../example/seed.js';
import { answerClientErrorsAsJson } from '../../src/surfaces/client-error-reply.js';
import { SessionWsAdapter } from '../../src/websocket/index.js';

/**
 * The example app (or, with the argument `worker`, a worker context) with its Redis behind
 * Sentinel: `FAULTS_SENTINELS=host:port,…` and `FAULTS_SENTINEL_NAME` become the module's
 * `redis: { sentinels: [{ host, port }], name }`. Otherwise wired as `example/main.ts` and
 * `session-security worker` wire it, from the same environment.
 */
const sentinels = (process.env.FAULTS_SENTINELS ?? '').split(',').map((address) => {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
});
const redis = {
  sentinels,
  name: process.env.FAULTS_SENTINEL_NAME ?? 'mymaster',
} as unknown as ExampleRuntime['redis'];
const worker = process.argv[2] === 'worker';

try {
  const config = readConfig();
  const dataSource = await openExampleDatabase(config);
  await seed(dataSource);
  const module = ExampleAppModule.register({
    config,
    dataSource,
    redis,
    worker: worker || config.worker,
  });
  if (worker) {
    const context = await NestFactory.createApplicationContext(module, {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    context.enableShutdownHooks();
    await context.init();
    console.error('session-security worker running (all queues)');
  } else {
    const app = await createHttpApp(module, config.httpAdapter, ['error', 'warn']);
    app.useWebSocketAdapter(new SessionWsAdapter(app));
    answerClientErrorsAsJson(app.getHttpServer());
    app.enableShutdownHooks();
    await app.listen(config.port, '127.0.0.1');
    console.log(`listening on http://127.0.0.1:${config.port}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
