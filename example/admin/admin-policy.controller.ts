import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  Can,
  Clock,
  InvalidRequestException,
  parsePolicyQuestion,
  PolicyService,
  type PolicyTrace,
} from '../../src/index.js';
import { NotFound } from '../not-found.js';
import { UsersService } from '../users/users.service.js';

/**
 * The policy what-if for admins (from the internal network, as every admin rule): "may this user,
 * or these roles, do this, at that time, from there?" — answered with the full trace. It reads
 * the policy and changes nothing; like the audit log it needs no fresh sign-in.
 */
@Can('explain', 'Policy')
@Controller('admin/policy')
export class AdminPolicyController {
  constructor(
    private readonly policy: PolicyService,
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
