import { createServer, type Server } from 'node:http';
import { verifyWebhookSignature } from '../src/index.js';

/**
 * The bench's webhook endpoint, on 127.0.0.1: verifies each request's signature over the raw
 * body, counts the events of single and batched bodies, and answers 200 at once.
 */
export class WebhookReceiver {
  requests = 0;
  events = 0;
  badSignatures = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const holder = { self: null as WebhookReceiver | null };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const self = holder.self!;
        const raw = Buffer.concat(chunks);
        self.requests++;
        if (!verifyWebhookSignature(raw, req.headers['x-signature'], secret)) {
          self.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        const body = JSON.parse(raw.toString('utf8')) as { kind?: string; events?: unknown[] };
        self.events += body.kind === 'batch' ? (body.events?.length ?? 0) : 1;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    holder.self = new WebhookReceiver(server, `http://127.0.0.1:${port}/bench-hook`);
    return holder.self;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
