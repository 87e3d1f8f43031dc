import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DecisionLog } from '../policy/decision-log.service.js';
import type { PolicyDocument } from '../policy/policy.types.js';
import { PolicyService } from '../policy/policy.service.js';
import { ruleInWords, whenInWords } from '../policy/rule-words.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionRecords } from '../session/session-records.js';
import type { SessionEntity } from '../session/session.entity.js';
import { reviewToCsv } from './review-csv.js';
import type {
  PermissionReviewOptions,
  PermissionReviewReport,
  ReviewedRule,
} from './permission-review.types.js';

const DAY_MS = 86_400_000;
/** Live sessions read at most (newest first); the report says when there were more. */
const MAX_SESSIONS = 50_000;
/** Audit events of role changes read at most. */
const MAX_CHANGES = 10_000;

/**
 * The permission review the seeds ask for ("regularly review permissions and adjust them for users
 * who have changed roles or no longer require access"): per role what it may do, users with live
 * sessions and their roles, recent role changes, grants not used for N days (from the decision
 * log's rule use), sessions still live from before their user's last permission change, and admin
 * sessions without a recent sign-in. Every review is audited (`policy.reviewed`).
 *
 * @example
 * const report = await review.report({ unusedDays: 30, actor: admin.userId });
 * const csv = review.toCsv(report);
 */
@Injectable()
export class PermissionReview {
  constructor(
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly records: SessionRecords,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Optional() private readonly decisions?: DecisionLog,
  ) {}

  /**
   * Builds the report and records `policy.reviewed` (who asked, the format, the counts).
   *
   * @throws RangeError for a setting that is not a positive number
   */
  async report(options: PermissionReviewOptions = {}): Promise<PermissionReviewReport> {
    const now = this.clock.now();
    const document = this.policy.current.document;
    const settings = {
      unusedDays: positive(options.unusedDays ?? 90, 'unusedDays'),
      recentDays: positive(options.recentDays ?? 30, 'recentDays'),
      adminFreshHours: positive(options.adminFreshHours ?? 24, 'adminFreshHours'),
      adminRoles: options.adminRoles ?? adminRolesOf(document),
    };
    const roles = reviewedRules(document);
    const sessions = await this.records.liveSessions(now, MAX_SESSIONS + 1);
    const truncated = sessions.length > MAX_SESSIONS;
    if (truncated) sessions.length = MAX_SESSIONS;
    const changes = await this.changesSince(now - settings.recentDays * DAY_MS);
    const latestChange = new Map<string, number>();
    for (const change of changes) {
      latestChange.set(change.userId, Math.max(latestChange.get(change.userId) ?? 0, change.at));
    }
    const report: PermissionReviewReport = {
      generatedAt: iso(now),
      policyVersion: this.policy.version,
      policyOrigin: this.policy.origin,
      settings,
      roles,
      users: usersOf(sessions),
      roleChanges: changes.map((c) => ({ ...c, at: iso(c.at) })),
      unusedGrants: await this.unusedGrants(roles, now - settings.unusedDays * DAY_MS),
      sessionsFromBeforeChange: sessions
        .filter((s) => (latestChange.get(s.userId) ?? -1) > s.authenticatedAt)
        .map((s) => ({
          sessionId: s.id,
          userId: s.userId,
          roles: s.roles,
          authenticatedAt: iso(s.authenticatedAt),
          changedAt: iso(latestChange.get(s.userId)!),
          reauthRequired: s.reauthRequiredAt !== null,
        })),
      adminsWithoutFreshAuth: sessions
        .filter((s) => s.roles.some((role) => settings.adminRoles.includes(role)))
        .filter((s) => now - s.authenticatedAt > settings.adminFreshHours * 3_600_000)
        .map((s) => ({
          sessionId: s.id,
          userId: s.userId,
          roles: s.roles,
          authLevel: s.authLevel,
          authenticatedAt: iso(s.authenticatedAt),
        })),
      truncated,
    };
    await this.events.emit({
      type: 'policy.reviewed',
      actor: options.actor ?? null,
      outcome: 'success',
      resource: this.policy.origin,
      details: {
        format: options.format ?? 'json',
        sections: [
          'roles',
          'users',
          'roleChanges',
          'unusedGrants',
          'sessionsFromBeforeChange',
          'adminsWithoutFreshAuth',
        ],
        policyVersion: report.policyVersion,
        settings,
        counts: {
          rules: roles.length,
          users: report.users.length,
          roleChanges: report.roleChanges.length,
          unusedGrants: report.unusedGrants?.length ?? null,
          sessionsFromBeforeChange: report.sessionsFromBeforeChange.length,
          adminsWithoutFreshAuth: report.adminsWithoutFreshAuth.length,
        },
      },
    });
    return report;
  }

  /** The report as one CSV table ({@link reviewToCsv}). */
  toCsv(report: PermissionReviewReport): string {
    return reviewToCsv(report);
  }

  /** `permissions.changed` events since `since`, newest first, from the audit log. */
  private async changesSince(
    since: number,
  ): Promise<Array<{ userId: string; at: number; reason: string | null; actor: string | null }>> {
    const found: Array<{
      userId: string;
      at: number;
      reason: string | null;
      actor: string | null;
    }> = [];
    let beforeSeq: number | undefined;
    while (found.length < MAX_CHANGES) {
      const page = await this.audit.list({ type: 'permissions.changed', limit: 1000, beforeSeq });
      for (const event of page) {
        if (event.at < since) return found;
        if (event.userId === null) continue;
        const reason = event.details.reason;
        found.push({
          userId: event.userId,
          at: event.at,
          reason: typeof reason === 'string' ? reason : null,
          actor: event.actor,
        });
      }
      if (page.length < 1000) return found;
      beforeSeq = page[page.length - 1].seq;
    }
    return found;
  }

  private async unusedGrants(
    roles: ReviewedRule[],
    cutoff: number,
  ): Promise<PermissionReviewReport['unusedGrants']> {
    const lastUsed = (await this.decisions?.lastUsed()) ?? null;
    if (lastUsed === null) return null;
    return roles
      .filter((rule) => rule.effect === 'allow' && (lastUsed.get(rule.ruleId) ?? -1) < cutoff)
      .map((rule) => {
        const at = lastUsed.get(rule.ruleId);
        return {
          role: rule.role,
          ruleId: rule.ruleId,
          inWords: rule.inWords,
          lastUsedAt: at === undefined ? null : iso(at),
        };
      });
  }
}

function reviewedRules(document: PolicyDocument): ReviewedRule[] {
  return Object.entries(document.roles).flatMap(([role, rules]) =>
    rules.map((rule, index) => ({
      role,
      ruleId: rule.id ?? `${role}[${index}]`,
      effect: rule.inverted ? ('forbid' as const) : ('allow' as const),
      actions: [rule.action].flat(),
      subjects: [rule.subject].flat(),
      conditions: rule.conditions ? JSON.stringify(rule.conditions) : null,
      when: rule.when ? whenInWords(rule.when) : null,
      inWords: ruleInWords(rule),
    })),
  );
}

/** Roles with an allow rule of `manage` on `all`. */
function adminRolesOf(document: PolicyDocument): string[] {
  return Object.entries(document.roles)
    .filter(([, rules]) =>
      rules.some(
        (rule) =>
          !rule.inverted &&
          [rule.action].flat().includes('manage') &&
          [rule.subject].flat().includes('all'),
      ),
    )
    .map(([role]) => role);
}

function usersOf(sessions: SessionEntity[]): PermissionReviewReport['users'] {
  const users = new Map<string, { userId: string; roles: string[]; liveSessions: number }>();
  for (const session of sessions) {
    const user = users.get(session.userId);
    if (user) {
      user.liveSessions++;
      user.roles = [...new Set([...user.roles, ...session.roles])].sort();
    } else {
      users.set(session.userId, {
        userId: session.userId,
        roles: [...session.roles].sort(),
        liveSessions: 1,
      });
    }
  }
  return [...users.values()].sort((a, b) => a.userId.localeCompare(b.userId));
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 36_500) {
    throw new RangeError(`${name}: must be a positive number (at most 36500)`);
  }
  return value;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
