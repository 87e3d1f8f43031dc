import { Module, type INestApplication, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { initExampleApp } from '../../example/create-app.js';
import {
  ClientProxyFactory,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import type { AddressInfo, Server } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  HttpErrorFilter,
  type SessionSecurityExtras,
  type SessionSecurityModuleOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { openModuleDatabase } from './database.js';
import { testSessionModule } from './permission-app.js';
import { RPC_POLICY, RpcArticleLoader, RpcHandlers } from './rpc-handlers.js';

/** How the RPC handlers are served: a TCP microservice alone, or beside HTTP in a hybrid app. */
export type RpcAppMode = 'microservice' | 'hybrid';

/** A running app with TCP message handlers and a client connected to them. */
export interface RpcApp {
  app: INestApplication | INestMicroservice;
  /** Supertest on the HTTP side (hybrid apps only). */
  http?: ReturnType<typeof request>;
  clock: ManualClock;
  /** Sends a message and resolves with the reply, or rejects with what the client received. */
  send<T = unknown>(pattern: string, data?: unknown): Promise<T>;
  /** Emits an event (no reply). */
  emit(pattern: string, data: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Opens a migrated PostgreSQL data source on the test's own schema. */
export const openRpcDataSource = openModuleDatabase;

/**
 * Starts the module on `dataSource` and Redis under `redisKeyPrefix` with {@link RpcHandlers}
 * (or the given controllers) on a TCP port of its own, and the app-wide {@link HttpErrorFilter}.
 * A hybrid app connects the microservice with `inheritAppConfig: true`.
 */
export async function startRpcApp(
  dataSource: DataSource,
  redisKeyPrefix: string,
  setup: {
    mode?: RpcAppMode;
    options?: Partial<SessionSecurityModuleOptions> & SessionSecurityExtras;
    controllers?: Type[];
  } = {},
): Promise<RpcApp> {
  const clock = new ManualClock();
  @Module({
    imports: [
      testSessionModule(dataSource, redisKeyPrefix, clock, {
        policy: { document: RPC_POLICY },
        ...setup.options,
      }),
    ],
    controllers: setup.controllers ?? [RpcHandlers],
    providers: [RpcArticleLoader],
  })
  class RpcTestModule {}
  const transport: MicroserviceOptions = {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: 0 },
  };
  let app: INestApplication | INestMicroservice;
  let microservice: INestMicroservice;
  if (setup.mode === 'hybrid') {
    // The HTTP half runs on the run's platform (HTTP_ADAPTER=fastify in the e2e-fastify project).
    const options = { logger: false as const, abortOnError: false as const };
    const web =
      process.env.HTTP_ADAPTER === 'fastify'
        ? await NestFactory.create(
            RpcTestModule,
            new (await import('@nestjs/platform-fastify')).FastifyAdapter(),
            options,
          )
        : await NestFactory.create(RpcTestModule, options);
    web.useGlobalFilters(new HttpErrorFilter());
    microservice = web.connectMicroservice(transport, { inheritAppConfig: true });
    await web.startAllMicroservices();
    await initExampleApp(web);
    app = web;
  } else {
    microservice = await NestFactory.createMicroservice<MicroserviceOptions>(RpcTestModule, {
      ...transport,
      logger: false,
      abortOnError: false,
    });
    microservice.useGlobalFilters(new HttpErrorFilter());
    await microservice.listen();
    app = microservice;
  }
  const port = (microservice.unwrap<Server>().address() as AddressInfo).port;
  const client: ClientProxy = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
  });
  await client.connect();
  return {
    app,
    http: setup.mode === 'hybrid' ? request((app as INestApplication).getHttpServer()) : undefined,
    clock,
    send: <T>(pattern: string, data: unknown = {}) =>
      firstValueFrom(client.send<T>(pattern, data).pipe(timeout(5000))),
    emit: async (pattern: string, data: unknown) => {
      await firstValueFrom(client.emit(pattern, data), { defaultValue: undefined });
    },
    close: async () => {
      await client.close();
      await app.close();
    },
  };
}
