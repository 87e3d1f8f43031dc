import { createHash, randomUUID } from 'node:crypto';
import { send } from './http-client.js';
import type { AppStack } from './stack.js';
import type { Traffic } from './traffic.js';

/** Role of the corpus sessions a bulk job revokes (no traffic session has it). */
export const CORPUS_ROLE = 'contractor';

/**
 * Inserts `count` sessions with role `contractor` straight into the stack's database (users
 * `c-0`…`c-299`), the population a bulk revocation then works through batch by batch.
 */
export async function insertCorpus(stack: AppStack, count: number): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < count; start += 500) {
    const values: string[] = [];
    const params: unknown[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const row = [
        randomUUID(),
        createHash('sha256').update(`corpus-${stack.database}-${i}`).digest('hex'),
        `c-${i % 300}`,
        JSON.stringify([CORPUS_ROLE]),
        ...[now - 60_000, now - 60_000, now + 3_600_000, now + 3_600_000, now - 60_000],
        'password',
        `10.${i % 250}.0.1`,
        'faults/1.0',
        '{}',
      ];
      values.push(`(${row.map((_, j) => `$${params.length + j + 1}`).join(', ')})`);
      params.push(...row);
    }
    await stack.sql(
      `INSERT INTO ss_session ("id", "tokenHash", "userId", "roles", "createdAt", "lastSeenAt",
         "idleExpiresAt", "absoluteExpiresAt", "authenticatedAt", "authLevel", "ip", "userAgent",
         "data") VALUES ${values.join(', ')}`,
      params,
    );
  }
}

/** Starts a bulk revocation of the corpus through the admin API on instance A. */
export async function revokeCorpus(
  stack: AppStack,
  traffic: Traffic,
  reason: string,
): Promise<{ jobId: string; matched: number }> {
  const answer = await send(stack.instances.A.port, 'POST', '/admin/session-revocations', {
    credentials: traffic.adminCredentials,
    body: { filter: { roles: [CORPUS_ROLE] }, reason },
  });
  if (answer.status !== 202) {
    throw new Error(
      `POST /admin/session-revocations: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  return { jobId: answer.body.jobId, matched: answer.body.matched };
}
