import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { CidrSet } from '../../network/client-ip.js';
import { SessionEntity } from '../../session/session.entity.js';
import type { RevocationFilter } from './revocation-filter.js';

/**
 * A session row as the bulk revocation reads it.
 *
 * @example const row: MatchedSession = { id, tokenHash, userId: '7', createdAt, ip: '10.0.0.1', roles: [], userAgent: null };
 */
export type MatchedSession = Pick<
  SessionEntity,
  'id' | 'tokenHash' | 'userId' | 'createdAt' | 'ip' | 'roles' | 'userAgent'
>;

/**
 * Finds the live sessions (not revoked, not expired at `now`, created at or before `cutoffAt`)
 * that match a filter, one keyset page at a time. SQL narrows the rows portably (PostgreSQL and
 * SQLite); the page is then checked exactly in code (CIDRs, role names, user agents).
 *
 * @example
 * const matcher = new SessionMatcher(filter, clock.now(), clock.now());
 * const { rows, lastId } = await matcher.page(manager, null, 5000);
 */
export class SessionMatcher {
  private readonly cidrs: CidrSet | null;
  private readonly createdBefore: number | null;
  private readonly authenticatedBefore: number | null;

  constructor(
    private readonly filter: RevocationFilter,
    private readonly cutoffAt: number,
    private readonly now: number,
  ) {
    this.cidrs = filter.ip ? new CidrSet([filter.ip], 'filter.ip') : null;
    this.createdBefore = filter.createdBefore ? Date.parse(filter.createdBefore) : null;
    this.authenticatedBefore = filter.authenticatedBefore
      ? Date.parse(filter.authenticatedBefore)
      : null;
  }

  /**
   * The next page after `afterId`: `rows` are the matching sessions, `lastId` the id of the last
   * row looked at (`null` when there were none: the scan is over).
   */
  async page(
    manager: EntityManager,
    afterId: string | null,
    size: number,
  ): Promise<{ rows: MatchedSession[]; lastId: string | null }> {
    const query = this.query(manager)
      .select(['s.id', 's.tokenHash', 's.userId', 's.createdAt', 's.ip', 's.roles', 's.userAgent'])
      .orderBy('s.id', 'ASC')
      .take(size);
    if (afterId !== null) query.andWhere('s.id > :afterId', { afterId });
    const candidates = await query.getMany();
    return {
      rows: candidates.filter((row) => this.matches(row)),
      lastId: candidates.at(-1)?.id ?? null,
    };
  }

  /**
   * PostgreSQL, for filters SQL expresses exactly: marks the next page after `afterId` revoked in
   * one statement (`id = ANY(ARRAY(SELECT … LIMIT size))`, only rows still live) and returns the
   * rows it changed and the id of the last row looked at (`null`: the scan is over). `null` when
   * the database or the filter needs {@link page} and an update of its own.
   */
  async revokePage(
    manager: EntityManager,
    afterId: string | null,
    size: number,
    revokedAt: number,
    revokedReason: string,
  ): Promise<{ rows: MatchedSession[]; lastId: string | null } | null> {
    if (manager.connection.options.type !== 'postgres' || this.needsExactCheck()) return null;
    const page = this.query(manager).select('s.id', 'id').orderBy('s.id', 'ASC').limit(size);
    if (afterId !== null) page.andWhere('s.id > :afterId', { afterId });
    const [pageSql, params] = page.getQueryAndParameters();
    const table = manager.connection
      .getMetadata(SessionEntity)
      .tablePath.split('.')
      .map((part) => `"${part}"`)
      .join('.');
    const [at, reason] = [`$${params.length + 1}`, `$${params.length + 2}`];
    const [result] = (await manager.query(
      `WITH page AS (${pageSql}),
       revoked AS (
         UPDATE ${table} SET "revokedAt" = ${at}, "revokedReason" = ${reason}
         WHERE "id" = ANY(ARRAY(SELECT "id" FROM page)) AND "revokedAt" IS NULL
         RETURNING "id", "tokenHash", "userId", "createdAt", "ip", "roles", "userAgent")
       SELECT (SELECT max("id") FROM page) AS "lastId", (SELECT json_agg(revoked ORDER BY "id") FROM revoked) AS "rows"`,
      [...params, revokedAt, revokedReason],
    )) as Array<{ lastId: string | null; rows: Array<Record<string, unknown>> | null }>;
    const rows = (result.rows ?? []).map((row): MatchedSession => ({
      id: String(row.id),
      tokenHash: String(row.tokenHash),
      userId: String(row.userId),
      createdAt: Number(row.createdAt),
      ip: (row.ip as string | null) ?? null,
      roles: JSON.parse(String(row.roles)) as string[],
      userAgent: (row.userAgent as string | null) ?? null,
    }));
    return { rows, lastId: result.lastId };
  }

  /** Counts every match, paging through the rows when the filter needs an exact check in code. */
  async count(manager: EntityManager, pageSize: number): Promise<number> {
    if (!this.needsExactCheck()) return this.query(manager).getCount();
    let total = 0;
    let cursor: string | null = null;
    for (;;) {
      const { rows, lastId } = await this.page(manager, cursor, pageSize);
      if (lastId === null) return total;
      total += rows.length;
      cursor = lastId;
    }
  }

  /** Up to `limit` matches, in id order. */
  async sample(manager: EntityManager, limit: number, pageSize: number): Promise<MatchedSession[]> {
    const found: MatchedSession[] = [];
    let cursor: string | null = null;
    while (found.length < limit) {
      const { rows, lastId } = await this.page(manager, cursor, Math.max(limit, pageSize));
      found.push(...rows);
      if (lastId === null) break;
      cursor = lastId;
    }
    return found.slice(0, limit);
  }

  /** The exact check, in code, of one row already narrowed by SQL. */
  matches(row: MatchedSession): boolean {
    const f = this.filter;
    if (this.cidrs && !this.cidrs.contains(row.ip)) return false;
    if (f.roles && !f.roles.some((role) => row.roles.includes(role))) return false;
    if (f.userAgent && !(row.userAgent ?? '').toLowerCase().includes(f.userAgent.toLowerCase())) {
      return false;
    }
    return true;
  }

  private needsExactCheck(): boolean {
    return !!(this.filter.ip || this.filter.roles || this.filter.userAgent);
  }

  private query(manager: EntityManager): SelectQueryBuilder<SessionEntity> {
    const f = this.filter;
    const q = manager
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .where('s.revokedAt IS NULL')
      .andWhere('s.createdAt <= :cutoffAt', { cutoffAt: this.cutoffAt })
      .andWhere('s.idleExpiresAt > :now', { now: this.now })
      .andWhere('s.absoluteExpiresAt > :now', { now: this.now });
    if (f.userIds) q.andWhere('s.userId IN (:...userIds)', { userIds: f.userIds });
    if (f.tenantId) q.andWhere('s.tenantId = :tenantId', { tenantId: f.tenantId });
    if (this.createdBefore !== null) {
      q.andWhere('s.createdAt < :createdBefore', { createdBefore: this.createdBefore });
    }
    if (this.authenticatedBefore !== null) {
      q.andWhere('s.authenticatedAt < :authenticatedBefore', {
        authenticatedBefore: this.authenticatedBefore,
      });
    }
    if (f.roles) {
      const clauses = f.roles.map((_, i) => `s.roles LIKE :role${i} ESCAPE '\\'`);
      const params = Object.fromEntries(
        f.roles.map((role, i) => [`role${i}`, `%${likeEscape(JSON.stringify(role))}%`]),
      );
      q.andWhere(`(${clauses.join(' OR ')})`, params);
    }
    if (f.userAgent) {
      q.andWhere(`LOWER(s.userAgent) LIKE :userAgent ESCAPE '\\'`, {
        userAgent: `%${likeEscape(f.userAgent.toLowerCase())}%`,
      });
    }
    return q;
  }
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
