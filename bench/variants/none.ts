import { Module } from '@nestjs/common';
import { createBenchApp, type BenchServer } from '../bench-app.js';
import { PingController } from '../ping.controller.js';

@Module({ controllers: [PingController] })
class NoSessionModule {}

/** (a) The same app with nothing in front of the route. */
export async function startNoSession(): Promise<BenchServer> {
  const app = await createBenchApp(NoSessionModule);
  return { app, close: () => app.close() };
}
