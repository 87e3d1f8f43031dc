import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { type ActiveSession, CurrentSession, NotificationService } from '../../src/index.js';
import { NotFound } from '../not-found.js';

@Controller('me/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationService) {}

  /** The user's notifications, newest first. */
  @Get()
  async list(@CurrentSession() session: ActiveSession) {
    const items = await this.notifications.listForUser(session.userId, { limit: 50 });
    return items.map((n) => ({
      id: n.id,
      type: n.type,
      createdAt: new Date(n.createdAt).toISOString(),
      readAt: n.readAt === null ? null : new Date(n.readAt).toISOString(),
      payload: n.payload,
    }));
  }

  /** Marks one of the user's own notifications read; another user's id is 404. */
  @Post(':id/read')
  @HttpCode(204)
  async read(@CurrentSession() session: ActiveSession, @Param('id') id: string): Promise<void> {
    if (!(await this.notifications.markRead(session.userId, id)))
      throw new NotFound('No such notification');
  }
}
