import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  type ActiveSession,
  Can,
  CurrentSession,
  InvalidRequestException,
  RequireFreshAuth,
  RevocationService,
} from '../../src/index.js';
import { NotFound } from '../not-found.js';
import { User } from '../users/user.entity.js';

const rolesBody = z
  .object({ roles: z.array(z.enum(['admin', 'editor', 'viewer'])).max(8) })
  .strict();

/** User administration: admins, with fresh authentication, from the internal network. */
@RequireFreshAuth()
@Can('manage', 'User')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocations: RevocationService,
  ) {}

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
