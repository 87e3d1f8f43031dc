import { Server, Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP proxy in front of one server that can stall its link: while paused nothing is forwarded
 * in either direction (connections stay open), as when a single instance is partitioned away.
 * It can also cut the link: open connections are dropped and new ones closed at once, as when
 * the server goes down, until `restore()`.
 */
export class StallProxy {
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private severed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<StallProxy> {
    let proxy: StallProxy | null = null;
    const server = createServer((client) => proxy?.link(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new StallProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  pause(): void {
    this.paused = true;
    for (const socket of this.sockets) socket.pause();
  }

  resume(): void {
    this.paused = false;
    for (const socket of this.sockets) socket.resume();
  }

  /** Drops every open connection and closes new ones at once until {@link restore}. */
  cut(): void {
    this.severed = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.severed = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private link(client: Socket, targetPort: number): void {
    if (this.severed) return void client.destroy();
    const upstream = createConnection(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      if (this.paused) socket.pause();
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
  }
}
