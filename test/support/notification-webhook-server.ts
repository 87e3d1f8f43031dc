import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One request the test webhook receiver got, with the body exactly as received. */
export interface ReceivedWebhook {
  rawBody: string;
  headers: IncomingHttpHeaders;
  answeredStatus: number;
}

/**
 * A webhook receiver on 127.0.0.1 and a random port that answers 503 to the next `failures`
 * requests and 200 after that, recording each request.
 */
export class NotificationWebhookServer {
  readonly received: ReceivedWebhook[] = [];
  /** Answer each request only after this long (a slow receiver). */
  delayMs = 0;
  /** Requests being answered now, and the most there were at once. */
  inFlight = 0;
  mostInFlight = 0;
  private failures = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<NotificationWebhookServer> {
    const state = { self: undefined as NotificationWebhookServer | undefined };
    const server = createServer((req, res) => {
      const self = state.self;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      self!.inFlight++;
      self!.mostInFlight = Math.max(self!.mostInFlight, self!.inFlight);
      req.on('end', () => {
        const status = self!.failures > 0 ? 503 : 200;
        if (status !== 200) self!.failures--;
        setTimeout(() => {
          self!.inFlight--;
          self!.received.push({
            rawBody: Buffer.concat(chunks).toString('utf8'),
            headers: req.headers,
            answeredStatus: status,
          });
          res.writeHead(status).end();
        }, self!.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    state.self = new NotificationWebhookServer(server, `http://127.0.0.1:${port}/hooks/security`);
    return state.self;
  }

  /** Answer the next `count` requests with 503. */
  failNext(count: number): void {
    this.failures = count;
  }

  /** Requests whose body carries this notification id. */
  for(notificationId: string): ReceivedWebhook[] {
    return this.received.filter((r) => JSON.parse(r.rawBody).id === notificationId);
  }

  /** Batched requests (`kind: 'batch'`) the receiver got. */
  batches(): ReceivedWebhook[] {
    return this.received.filter((r) => JSON.parse(r.rawBody).kind === 'batch');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
