import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema } from './database.js';
import { newEnvironment, startExample, type ExampleInstance } from './example-app.js';

/** The example app on a real loopback port, as a browser reaches it. */
export interface ListeningExample {
  instance: ExampleInstance;
  port: number;
  /** `http://localhost:PORT`: loopback, which browsers treat as a secure context. */
  base: string;
  close(): Promise<void>;
}

/**
 * Starts the example app on PostgreSQL (a schema of its own) and Redis (a prefix of its own),
 * listening on 127.0.0.1 at a free port; `close()` stops it and drops the schema.
 */
export async function listenExample(
  label: string,
  env: Record<string, string> = {},
): Promise<ListeningExample> {
  const schema = await createSchema(label);
  const instance = await startExample(newEnvironment(schema.name, env));
  await instance.app.listen(0, '127.0.0.1');
  const { port } = instance.app.getHttpServer().address() as AddressInfo;
  return {
    instance,
    port,
    base: `http://localhost:${port}`,
    close: async () => {
      await instance.close();
      await schema.drop();
    },
  };
}

/**
 * A one-page "attacker" site on another origin and site (`http://127.0.0.1:PORT`, while the app
 * is `http://localhost:PORT`): it serves `html` at `/` to whoever visits.
 */
export async function serveAttackerPage(
  html: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
