import { Controller, Get, Injectable, Post, UseGuards } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Can,
  CsrfGuard,
  CurrentSession,
  FreshAuthGuard,
  PolicyGuard,
  Public,
  RequireFreshAuth,
  SessionGuard,
  type ActiveSession,
  type PolicyDocument,
  type SubjectLoader,
} from '../../src/index.js';

/** Editors read reports and update their own articles; viewers only read articles. */
export const RPC_POLICY: PolicyDocument = {
  roles: {
    editor: [
      { id: 'editor-reports', action: 'read', subject: 'Report' },
      {
        id: 'editor-own',
        action: 'update',
        subject: 'Article',
        conditions: { authorId: '${user.id}' },
      },
    ],
    viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
  },
};

/** Loads the article named by the message's `articleId`; article N is written by user `uN`. */
@Injectable()
export class RpcArticleLoader implements SubjectLoader {
  load(_carrier: object, context: { getArgs(): unknown[] }) {
    const id = (context.getArgs()[0] as { articleId?: unknown } | undefined)?.articleId;
    return typeof id === 'number' ? { id, authorId: `u${id}` } : null;
  }
}

/** Events the `note` handler received, by app: a denied event must never land here. */
export const receivedNotes: unknown[] = [];

/** The message handlers every RPC test app serves; each answers what it saw. */
@Controller()
export class RpcHandlers {
  @EventPattern('note')
  note(@Payload() data: unknown) {
    receivedNotes.push(data);
  }

  @MessagePattern('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { userId: session.userId };
  }

  @Public()
  @MessagePattern('ping')
  ping(@Payload() data: unknown, @Ctx() _context: unknown) {
    return { pong: true, data };
  }

  @Can('read', 'Report')
  @MessagePattern('report')
  report() {
    return { report: 'q3' };
  }

  @Can('update', 'Article', RpcArticleLoader)
  @MessagePattern('rename')
  rename(@Payload() data: { articleId: number; title: string }) {
    return { id: data.articleId, title: data.title };
  }

  @RequireFreshAuth('5m')
  @MessagePattern('sensitive')
  sensitive() {
    return { done: true };
  }

  @MessagePattern('boom')
  boom(): never {
    throw new Error('connection to db-primary:5432 failed for user app');
  }

  @Public()
  @MessagePattern('public-boom')
  publicBoom(): never {
    throw new TypeError('Cannot read properties of undefined');
  }
}

/** The same handlers with the module's guards attached by hand (`globalGuards: false`). */
@UseGuards(SessionGuard, CsrfGuard, FreshAuthGuard, PolicyGuard)
@Controller()
export class GuardedByHandRpcHandlers extends RpcHandlers {}

/** HTTP routes guarded by hand, beside the RPC handlers of a `globalGuards: false` app. */
@UseGuards(SessionGuard, CsrfGuard, FreshAuthGuard, PolicyGuard)
@Controller('by-hand')
export class GuardedByHandHttp {
  @Get('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { userId: session.userId };
  }

  @Post('write')
  write() {
    return { written: true };
  }

  @Can('read', 'Report')
  @Get('report')
  report() {
    return { report: 'q3' };
  }

  @RequireFreshAuth('5m')
  @Get('sensitive')
  sensitive() {
    return { done: true };
  }

  @Public()
  @Get('open')
  open() {
    return { open: true };
  }
}
