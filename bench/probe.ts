import { Agent, request } from 'node:http';

/** One answer of {@link Prober.get}, with when it was sent and received (`performance.now()`). */
export interface ProbeAnswer {
  status: number;
  error: string | null;
  sentAt: number;
  receivedAt: number;
}

/**
 * Plain `GET`s over a pool of keep-alive connections, so a timed probe measures the server and
 * not connection setup. `warm()` opens the connections beforehand.
 */
export class Prober {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, keepAliveMsecs: 10_000 });
  }

  get(path: string, cookie?: string): Promise<ProbeAnswer> {
    const sentAt = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        { agent: this.agent, headers: cookie ? { cookie } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            let error: string | null;
            try {
              error = (JSON.parse(body) as { error?: string }).error ?? null;
            } catch {
              error = null;
            }
            resolve({ status: res.statusCode ?? 0, error, sentAt, receivedAt: performance.now() });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
