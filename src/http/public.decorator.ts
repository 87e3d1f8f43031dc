import { Reflector } from '@nestjs/core';

/**
 * Marks a route (or controller) as reachable without a session. Every other route requires one
 * once the module's guards are global.
 *
 * @example @Public() @Get('health') health() {}
 */
export const Public = Reflector.createDecorator<boolean>({ transform: () => true });

/**
 * Lets a session that must re-authenticate (permissions changed) reach this route; meant only
 * for what re-authenticating needs: the re-authentication and logout endpoints, and reading the
 * CSRF token they require. Put it on a method, not a controller, so no other route is opened.
 *
 * @example @AllowPendingReauth() @Post('reauth') reauth() {}
 */
export const AllowPendingReauth = Reflector.createDecorator<boolean>({ transform: () => true });
