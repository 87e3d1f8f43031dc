import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  type ActiveSession,
  Can,
  Clock,
  CurrentSession,
  InvalidRequestException,
  parsePolicyQuestion,
  PolicyChanges,
  type PolicyChangeResult,
  PolicyService,
  type PolicyTrace,
  PolicyValidationError,
  RequireFreshAuth,
} from '../../src/index.js';
import { NotFound } from '../not-found.js';
import { UsersService } from '../users/users.service.js';

/**
 * The policy for admins (from the internal network, as every admin rule). The what-if — "may this
 * user, or these roles, do this, at that time, from there?" — is answered with the full trace; it
 * reads the policy and changes nothing, so like the audit log it needs no fresh sign-in. Reloading
 * the policy file changes what everyone may do: it needs a fresh sign-in.
 */
@Can('explain', 'Policy')
@Controller('admin/policy')
export class AdminPolicyController {
  constructor(
    private readonly policy: PolicyService,
    private readonly changes: PolicyChanges,
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
