import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query } from '@nestjs/common';
import {
  type ActiveSession,
  Can,
  Clock,
  CurrentSession,
  InvalidRequestException,
  PolicyService,
  PolicyValidationError,
  RequireFreshAuth,
  RefuseImpersonation,
} from '../../src/index.js';
import {
  parsePolicyQuestion,
  PermissionReview,
  PolicyChanges,
  type PolicyChangeResult,
  type PolicyTrace,
} from '../../src/policy-tools.js';
import { NotFound } from '../not-found.js';
import { UsersService } from '../users/users.service.js';

/**
 * The policy for admins (from the internal network, as every admin rule). The what-if — "may this
 * user, or these roles, do this, at that time, from there?" — is answered with the full trace; it
 * reads the policy and changes nothing, so like the audit log it needs no fresh sign-in. Reloading
 * the policy file changes what everyone may do: it needs a fresh sign-in.
 */
@Can('explain', 'Policy')
@RefuseImpersonation()
@Controller('admin/policy')
export class AdminPolicyController {
  constructor(
    private readonly policy: PolicyService,
    private readonly changes: PolicyChanges,
    private readonly review: PermissionReview,
    private readonly users: UsersService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * `as` is `{ userId }` (that user's current roles) or `{ id?, roles, tenantId? }`; the rest is
   * a `PolicyQuestion`: `action`, `subject`, `resource?`, `at?`, `tz?`, `ip?`, `country?`,
   * `authLevel?`, `sessionAge?`.
   */
  @Post('what-if')
  @HttpCode(200)
  async whatIf(@Body() body: unknown): Promise<PolicyTrace> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidRequestException('Body must be a JSON object: { as, action, subject, ... }');
    }
    const question = { ...(body as Record<string, unknown>) };
    question.as = await this.principal(question.as);
    const check = parsePolicyQuestion(question, this.clock.now());
    return this.policy.trace(check.user, check.action, check.subject, check.context);
  }

  /**
   * Reads `SESSION_POLICY_FILE` again on this instance: a valid new version is put in force,
   * audited with what it grants and revokes (by the first instance to load it), and the users
   * who lose permissions must re-authenticate. An invalid file: 400 naming each bad entry, and
   * the policy in force stays.
   */
  @Post('reload')
  @HttpCode(200)
  @RequireFreshAuth()
  @Can('manage', 'Policy')
  async reload(@CurrentSession() admin: ActiveSession): Promise<PolicyChangeResult> {
    if (!this.policy.current.file) {
      throw new InvalidRequestException(
        'The policy is the built-in one: set SESSION_POLICY_FILE to reload it from a file',
      );
    }
    try {
      return await this.changes.reload({ actor: admin.userId, reason: 'reloaded_by_admin' });
    } catch (error) {
      if (error instanceof PolicyValidationError) throw new InvalidRequestException(error.message);
      throw error;
    }
  }

  /**
   * The permission review (audited as `policy.reviewed`): per role what it may do, users with live
   * sessions, recent role changes, grants unused for `unusedDays` (needs `POLICY_DECISION_LOG`),
   * sessions from before a role change and admins without a recent sign-in. Read-only, so like the
   * audit log it needs no fresh sign-in.
   */
  @Get('review')
  @Can('read', 'PermissionReview')
  async reviewJson(
    @Query() query: Record<string, unknown>,
    @CurrentSession() admin: ActiveSession,
  ) {
    return this.review.report({ ...reviewSettings(query), actor: admin.userId, format: 'json' });
  }

  /** The same review as one CSV table (`section` per row). */
  @Get('review/csv')
  @Can('read', 'PermissionReview')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="permission-review.csv"')
  async reviewCsv(@Query() query: Record<string, unknown>, @CurrentSession() admin: ActiveSession) {
    const settings = { ...reviewSettings(query), actor: admin.userId, format: 'csv' as const };
    return this.review.toCsv(await this.review.report(settings));
  }

  private async principal(as: unknown): Promise<unknown> {
    if (as === null || typeof as !== 'object' || !('userId' in as)) {
      return as === null || typeof as !== 'object' ? as : { id: 'what-if', ...as };
    }
    const { userId, ...rest } = as as { userId: unknown };
    if (
      Object.keys(rest).length > 0 ||
      (typeof userId !== 'string' && typeof userId !== 'number')
    ) {
      throw new InvalidRequestException('as: either { userId } alone or { id?, roles, tenantId? }');
    }
    const user = await this.users.findById(String(userId));
    if (!user) throw new NotFound('No such user');
    return { id: user.id, roles: user.roles, tenantId: user.tenantId ?? null };
  }
}

const REVIEW_KEYS = ['unusedDays', 'recentDays', 'adminFreshHours'] as const;

/** `unusedDays`, `recentDays`, `adminFreshHours` from the query: positive numbers, nothing else. */
function reviewSettings(query: Record<string, unknown>): Record<string, number> {
  const settings: Record<string, number> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!(REVIEW_KEYS as readonly string[]).includes(key)) {
      throw new InvalidRequestException(
        `${key}: unknown parameter (known: ${REVIEW_KEYS.join(', ')})`,
      );
    }
    const number =
      typeof value === 'string' && /^\d{1,5}(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!(number > 0 && number <= 36_500)) {
      throw new InvalidRequestException(`${key}: must be a positive number of at most 36500`);
    }
    settings[key] = number;
  }
  return settings;
}
