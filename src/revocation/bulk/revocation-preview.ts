import type { EntityManager } from 'typeorm';
import type { RevocationEffect } from './revocation-plan.js';
import type { SessionMatcher } from './session-matcher.js';

/**
 * What a revocation would touch, for an operator to check before starting it: the matched
 * count, the roles and users with the most matched sessions, and a few of the sessions.
 *
 * @example const { matched, byRole, byUser, sample } = await bulk.preview({ roles: ['editor'] });
 */
export interface RevocationPreview {
  matched: number;
  effect: RevocationEffect;
  /** Sessions per role, most first (a session with two roles counts for both). */
  byRole: Array<{ role: string; sessions: number }>;
  /** Sessions per user, most first. */
  byUser: Array<{ userId: string; sessions: number }>;
  sample: Array<{
    id: string;
    userId: string;
    roles: string[];
    createdAt: string;
    ip: string | null;
  }>;
}

/**
 * Pages once through every match of `matcher`, tallying roles and users; keeps the `top` largest
 * of each and the first `sampleSize` sessions.
 *
 * @example const preview = await previewMatches(manager, matcher, 'by_job', { pageSize: 5000 });
 */
export async function previewMatches(
  manager: EntityManager,
  matcher: SessionMatcher,
  effect: RevocationEffect,
  { pageSize, top = 5, sampleSize = 5 }: { pageSize: number; top?: number; sampleSize?: number },
): Promise<RevocationPreview> {
  const roles = new Map<string, number>();
  const users = new Map<string, number>();
  const sample: RevocationPreview['sample'] = [];
  let matched = 0;
  let cursor: string | null = null;
  for (;;) {
    const { rows, lastId } = await matcher.page(manager, cursor, pageSize);
    if (lastId === null) break;
    cursor = lastId;
    for (const row of rows) {
      matched++;
      users.set(row.userId, (users.get(row.userId) ?? 0) + 1);
      for (const role of row.roles) roles.set(role, (roles.get(role) ?? 0) + 1);
      if (sample.length < sampleSize) {
        const createdAt = new Date(row.createdAt).toISOString();
        sample.push({ id: row.id, userId: row.userId, roles: row.roles, createdAt, ip: row.ip });
      }
    }
  }
  return {
    matched,
    effect,
    byRole: largest(roles, top).map(([role, sessions]) => ({ role, sessions })),
    byUser: largest(users, top).map(([userId, sessions]) => ({ userId, sessions })),
    sample,
  };
}

function largest(counts: Map<string, number>, top: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
}
