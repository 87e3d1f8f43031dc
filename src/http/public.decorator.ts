import { Reflector } from '@nestjs/core';

/**
 * Marks a route (or controller) as reachable without a session. Every other route requires one
 * once the module's guards are global.
 *
 * @example @Public() @Get('health') health() {}
 */
export const Public = Reflector.createDecorator<boolean>({ transform: () => true });

/**
 * Lets a session that must re-authenticate (permissions changed) reach this route; meant for the
 * re-authentication and logout endpoints only.
 *
 * @example @AllowPendingReauth() @Post('reauth') reauth() {}
 */
export const AllowPendingReauth = Reflector.createDecorator<boolean>({ transform: () => true });
