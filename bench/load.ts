import autocannon from 'autocannon';

/** Load on one URL: either for `seconds` or for exactly `amount` requests. */
export interface LoadSpec {
  url: string;
  cookie?: string;
  connections: number;
  seconds?: number;
  amount?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
}

/**
 * Runs autocannon against a server in another process. Any non-2xx answer, error or timeout
 * fails the run: a fast stream of 401s would otherwise pass for throughput.
 */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.seconds ?? 1 }),
    headers: spec.cookie ? { cookie: spec.cookie } : {},
  });
  const { non2xx, errors, timeouts } = result;
  if (non2xx + errors + timeouts > 0) {
    throw new Error(
      `${spec.url}: ${non2xx} non-2xx, ${errors} errors, ${timeouts} timeouts — not a valid run`,
    );
  }
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Signs in through `POST /bench/login` and returns the `Cookie` header to send afterwards. */
export async function signIn(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/bench/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
  if (response.status !== 200 || cookies.length === 0) {
    throw new Error(`${baseUrl}/bench/login answered ${response.status} without a cookie`);
  }
  return cookies.join('; ');
}

/** Fails unless `GET /bench/ping` answers `expected` (proves a guard really is in front). */
export async function expectStatus(url: string, expected: number, cookie?: string): Promise<void> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {} });
  await response.arrayBuffer();
  if (response.status !== expected) {
    throw new Error(`${url} answered ${response.status}, expected ${expected}`);
  }
}
