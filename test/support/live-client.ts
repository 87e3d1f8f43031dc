import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createSchema } from './database.js';
import type { ExampleEnvironment, ExampleInstance } from './example-app.js';
import { newEnvironment, startExample } from './example-app.js';

/** An example instance listening on a loopback port, for WebSocket and SSE clients. */
export interface LiveInstance extends ExampleInstance {
  port: number;
}

/** Starts an example instance and listens on a free port of 127.0.0.1. */
export async function listenInstance(environment: ExampleEnvironment): Promise<LiveInstance> {
  const instance = await startExample(environment);
  await instance.app.listen(0, '127.0.0.1');
  const { port } = instance.app.getHttpServer().address() as AddressInfo;
  return { ...instance, port };
}

/** An open WebSocket and what it received. */
export interface LiveSocket {
  socket: WebSocket;
  /** Resolves with the close code and reason (and when it closed, `performance.now()`). */
  closed: Promise<{ code: number; reason: string; at: number }>;
  /** Every message received, in order. */
  received: string[];
  /** Sends a JSON (or raw) message and resolves with the next message received. */
  ask(message: unknown, raw?: boolean): Promise<{ event: string; data: Record<string, unknown> }>;
}

/** A refused WebSocket upgrade: HTTP status and JSON body. */
export interface RefusedUpgrade {
  status: number;
  body: Record<string, unknown>;
}

/** Opens `/ws` with a cookie (and `Origin`), resolving with the socket or the refused upgrade. */
export function openSocket(
  port: number,
  headers: Record<string, string> = {},
): Promise<LiveSocket | RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    const inbox: Array<(data: string) => void> = [];
    const received: string[] = [];
    socket.on('message', (data) => {
      received.push(String(data));
      inbox.shift()?.(String(data));
    });
    const closed = new Promise<{ code: number; reason: string; at: number }>((done) =>
      socket.once('close', (code, reason) =>
        done({ code, reason: reason.toString(), at: performance.now() }),
      ),
    );
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { text };
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    socket.once('error', (error) => reject(error));
    socket.once('open', () =>
      resolve({
        socket,
        closed,
        received,
        ask: (message, raw = false) =>
          new Promise((answer) => {
            inbox.push((data) => answer(JSON.parse(data)));
            socket.send(raw ? (message as string | Buffer) : JSON.stringify(message));
          }),
      }),
    );
  });
}

/** Opens `/ws` and fails the test unless the upgrade was accepted. */
export async function connect(port: number, cookie: string): Promise<LiveSocket> {
  const result = await openSocket(port, { Cookie: cookie });
  if (!('socket' in result)) throw new Error(`upgrade refused: ${JSON.stringify(result)}`);
  return result;
}

/** An open `text/event-stream` response and the events it carried so far. */
export interface EventStream {
  status: number;
  contentType: string | undefined;
  events: Array<{ event: string; data: string }>;
  /** Resolves when an event of `type` has arrived (or the stream ended). */
  next(type: string): Promise<{ event: string; data: string } | undefined>;
  ended: Promise<void>;
  close(): void;
}

/** Opens a server-sent events stream at `path` with a cookie. */
export function openEventStream(port: number, path: string, cookie: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path, headers: { Cookie: cookie, Accept: 'text/event-stream' } },
      (response) => {
        const events: Array<{ event: string; data: string }> = [];
        const waiters: Array<() => void> = [];
        let buffer = '';
        let done = false;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const lines = block.split('\n');
            const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
            const data = lines
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            events.push({ event, data });
          }
          waiters.splice(0).forEach((wake) => wake());
        });
        const ended = new Promise<void>((end) =>
          response.once('close', () => {
            done = true;
            waiters.splice(0).forEach((wake) => wake());
            end();
          }),
        );
        const next = async (type: string) => {
          for (;;) {
            const found = events.find((e) => e.event === type);
            if (found || done) return found;
            await new Promise<void>((wake) => waiters.push(wake));
          }
        };
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          events,
          next,
          ended,
          close: () => request.destroy(),
        });
      },
    );
    request.once('error', reject);
  });
}

/**
 * Registers hooks that give a test file two listening example instances sharing one schema and
 * Redis prefix, with the sweep an hour away: only the fan-out can end a connection in time.
 */
export function twoInstanceSuite(label: string): { a: LiveInstance; b: LiveInstance } {
  const suite = {} as { a: LiveInstance; b: LiveInstance };
  let schema: Awaited<ReturnType<typeof createSchema>> | undefined;
  beforeAll(async () => {
    schema = await createSchema(label);
    const environment = newEnvironment(schema.name, { SESSION_LIVE_SWEEP_INTERVAL: '1h' });
    suite.a = await listenInstance(environment);
    suite.b = await listenInstance(environment);
  });
  afterAll(async () => {
    await suite.a?.close();
    await suite.b?.close();
    await schema?.drop();
  });
  return suite;
}
