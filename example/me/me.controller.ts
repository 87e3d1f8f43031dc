import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  type ActiveSession,
  CurrentSession,
  InvalidRequestException,
  RefuseImpersonation,
  RequireFreshAuth,
  SessionService,
  requestState,
} from '../../src/index.js';
import { NotFound } from '../not-found.js';
import { expiresAt } from '../auth/auth.controller.js';
import { UsersService } from '../users/users.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /me/sessions/:id/report`: an empty body, or `{ endOtherSessions: true }`. */
const reportBody = z.strictObject({ endOtherSessions: z.boolean().optional() }).optional();

@Controller('me')
export class MeController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
  ) {}

  @Get()
  async me(@CurrentSession() session: ActiveSession) {
    const user = await this.users.findUser(Number(session.userId));
    return {
      user: { id: user?.id, username: user?.username, roles: user?.roles ?? session.roles },
      session: {
        id: session.id,
        createdAt: new Date(session.createdAt).toISOString(),
        authenticatedAt: new Date(session.authenticatedAt).toISOString(),
        expiresAt: expiresAt(session),
        kind: session.kind,
      },
      impersonatedBy: await this.impersonator(session),
      // Extension: how many sessions this user may have at once (`null`: no limit).
      sessionLimit: this.sessions.limitFor(session.roles),
    };
  }

  /** Who acts as the user in an impersonation session (`null` in any other). */
  private async impersonator(session: ActiveSession) {
    const by = session.impersonatedBy;
    if (!by) return null;
    const admin = await this.users.findUser(Number(by.userId));
    return { id: Number(by.userId), username: admin?.username ?? null, reason: by.reason };
  }

  @Get('sessions')
  async list(@CurrentSession() session: ActiveSession) {
    const sessions = await this.sessions.list(session.userId);
    return sessions.map((s) => ({
      id: s.id,
      current: s.id === session.id,
      createdAt: new Date(s.createdAt).toISOString(),
      lastSeenAt: new Date(s.lastSeenAt).toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      kind: s.kind,
    }));
  }

  @RequireFreshAuth()
  @Delete('sessions/:id')
  @HttpCode(204)
  async endOne(@CurrentSession() session: ActiveSession, @Param('id') id: string): Promise<void> {
    const ended =
      UUID.test(id) &&
      (await this.sessions.revoke(id, 'ended_by_user', {
        userId: session.userId,
        actor: session.userId,
      }));
    if (!ended) throw new NotFound('No such session');
  }

  @RequireFreshAuth()
  @Delete('sessions')
  @HttpCode(204)
  async endOthers(
    @CurrentSession() session: ActiveSession,
    @Query('scope') scope: unknown,
  ): Promise<void> {
    if (scope !== 'others')
      throw new InvalidRequestException("Query parameter scope must be 'others'");
    await this.sessions.revokeAllForUser(session.userId, 'ended_by_user', {
      exceptSessionId: session.id,
      actor: session.userId,
    });
  }

  /**
   * "This wasn't me": ends one of the user's own sessions they do not recognise (404 for any
   * other id) and records `session.reported` in the audit trail. No fresh authentication: the
   * user acts on a new-sign-in notice from whichever session they have. `{ endOtherSessions:
   * true }` also ends every other session but this one.
   */
  @RefuseImpersonation()
  @Post('sessions/:id/report')
  @HttpCode(204)
  async report(
    @Req() request: Request,
    @CurrentSession() session: ActiveSession,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const parsed = reportBody.safeParse(body ?? undefined);
    if (!parsed.success) {
      throw new InvalidRequestException('Body must be empty or {"endOtherSessions": boolean}');
    }
    const reported =
      UUID.test(id) &&
      (await this.sessions.report(id, {
        userId: session.userId,
        reporterSessionId: session.id,
        endOtherSessions: parsed.data?.endOtherSessions ?? false,
        ip: requestState(request).clientIp || null,
        userAgent: request.headers['user-agent'] ?? null,
      }));
    if (!reported) throw new NotFound('No such session');
  }
}
