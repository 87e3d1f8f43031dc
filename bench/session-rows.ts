import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Session rows made in the database itself, fast: one `INSERT … SELECT generate_series` into the
 * module's `ss_session` table. Row `i` gets the token {@link tokenOf}`(seed, i)` (only its
 * SHA-256 is stored, as the module stores it), a deterministic random-looking id, one of 50,000
 * users with the role `editor`, and timeouts far enough ahead that every row is live.
 */
export async function insertSessions(
  client: pg.Client,
  { count, seed, now }: { count: number; seed: string; now: number },
): Promise<void> {
  await client.query(
    `INSERT INTO ss_session (id, "tokenHash", "userId", "tenantId", roles, "authzVersion",
       "createdAt", "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt", "authenticatedAt",
       "authLevel", ip, "userAgent", data)
     SELECT md5($1 || ':id:' || i)::uuid::text,
            encode(sha256(convert_to(t.token, 'UTF8')), 'hex'),
            'bulk-' || (i % 50000), NULL, '["editor"]', 0,
            $2::bigint - 60000 - i, $2::bigint, $2::bigint + 1800000, $2::bigint + 43200000,
            $2::bigint - 60000 - i, 'password',
            '10.' || (i / 65536 % 256) || '.' || (i / 256 % 256) || '.' || (i % 256),
            'Mozilla/5.0 (bench)', '{}'
     FROM generate_series(0, $3::int - 1) AS i,
          LATERAL (SELECT rtrim(translate(encode(sha256(convert_to($1 || ':' || i, 'UTF8')),
                   'base64'), '+/', '-_'), '=') AS token) AS t`,
    [seed, now, count],
  );
}

/** The token of generated row `i`: base64url of SHA-256(`seed:i`), 43 characters like a real one. */
export function tokenOf(seed: string, index: number): string {
  return createHash('sha256').update(`${seed}:${index}`).digest('base64url');
}

/** `count` distinct row numbers from `[0, total)`, drawn at random. */
export function sampleRows(total: number, count: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, total)) picked.add(Math.floor(Math.random() * total));
  return [...picked];
}

/** A client on the run's schema; the caller ends it. */
export async function connectSchema(env: NodeJS.ProcessEnv): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: env.BENCH_DATABASE_URL,
    options: `-c search_path=${env.BENCH_SCHEMA}`,
  });
  await client.connect();
  return client;
}
