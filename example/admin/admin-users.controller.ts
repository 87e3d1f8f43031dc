import { Body, Controller, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  AccountDisabledError,
  type ActiveSession,
  Can,
  CsrfService,
  CurrentSession,
  ImpersonationService,
  InvalidRequestException,
  RefuseImpersonation,
  RequireFreshAuth,
  RevocationService,
  requestState,
  setSessionCookie,
} from '../../src/index.js';
import { expiresAt } from '../auth/auth.controller.js';
import { NotFound } from '../not-found.js';
import { User } from '../users/user.entity.js';

const rolesBody = z
  .object({ roles: z.array(z.enum(['admin', 'editor', 'viewer'])).max(8) })
  .strict();

/**
 * User administration: admins, with fresh authentication, from the internal network; never from
 * an impersonation session.
 */
@RefuseImpersonation()
@RequireFreshAuth()
@Can('manage', 'User')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocations: RevocationService,
    private readonly impersonation: ImpersonationService,
    private readonly csrf: CsrfService,
  ) {}

  /**
   * Support: the admin acts as the user in a new impersonation session — `{ reason, duration }`
   * (at most an hour, the default `session.impersonation.maxDuration`). The response sets its cookie in place
   * of the admin's (the admin's own session lives on; they sign in again after `POST
   * /auth/impersonation/end`); the user is notified, and the audit trail names both.
   */
  @Post(':id/impersonate')
  @HttpCode(200)
  async impersonate(
    @Req() request: Request,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentSession() admin: ActiveSession,
  ) {
    const user = await this.find(id);
    const fields = typeof body === 'object' && body !== null ? body : {};
    let issued;
    try {
      issued = await this.impersonation.start(admin, user, fields, {
        ip: requestState(request).clientIp || null,
        userAgent: request.headers['user-agent'] ?? null,
      });
    } catch (error) {
      if (error instanceof AccountDisabledError)
        throw new InvalidRequestException('id: the user is disabled', 409);
      throw error;
    }
    setSessionCookie(request, issued);
    const { session } = issued;
    return {
      session: {
        id: session.id,
        userId: session.userId,
        kind: session.kind,
        expiresAt: expiresAt(session),
        impersonatedBy: { id: admin.userId, reason: session.impersonatedBy?.reason ?? null },
      },
      csrfToken: this.csrf.tokenFor(issued.tokenHash, session),
    };
  }

  /** Replaces the user's roles; their live sessions must re-authenticate on their next request. */
  @Put(':id/roles')
  async setRoles(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentSession() admin: ActiveSession,
  ) {
    const parsed = rolesBody.safeParse(body);
    if (!parsed.success)
      throw new InvalidRequestException('Body must be {"roles": ["admin"|"editor"|"viewer", ...]}');
    const user = await this.find(id);
    await this.dataSource.getRepository(User).update({ id: user.id }, { roles: parsed.data.roles });
    await this.revocations.permissionsChanged(String(user.id), {
      reason: 'roles_changed',
      actor: admin.userId,
    });
    return { id: user.id, username: user.username, roles: parsed.data.roles };
  }

  /** Ends every session of the user at once and refuses sign-in until enabled again. */
  @Post(':id/disable')
  @HttpCode(204)
  async disable(@Param('id') id: string, @CurrentSession() admin: ActiveSession): Promise<void> {
    const user = await this.find(id);
    await this.revocations.disableUser(String(user.id), {
      reason: 'disabled_by_admin',
      actor: admin.userId,
    });
  }

  @Post(':id/enable')
  @HttpCode(204)
  async enable(@Param('id') id: string, @CurrentSession() admin: ActiveSession): Promise<void> {
    const user = await this.find(id);
    await this.revocations.enableUser(String(user.id), {
      reason: 'enabled_by_admin',
      actor: admin.userId,
    });
  }

  private async find(id: string): Promise<User> {
    const user = /^\d{1,9}$/.test(id)
      ? await this.dataSource.getRepository(User).findOneBy({ id: Number(id) })
      : null;
    if (!user) throw new NotFound('No such user');
    return user;
  }
}
