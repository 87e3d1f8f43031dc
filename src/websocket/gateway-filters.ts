import type { INestApplicationContext } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { SessionSecurityExceptionFilter } from '../http/session-security-exception.filter.js';

const GATEWAY_METADATA = 'websockets:is_gateway';

/**
 * Nest never applies global exception filters to gateways, so without this a module denial on a
 * `@SubscribeMessage` handler would reach the client as "Internal server error" and a socket
 * whose session is gone would stay open. It adds the module's exception filter (which answers
 * `{"event":"error","data":{...}}` and closes 4401 when the session is gone) to every gateway
 * class of the app; the gateway's own filters still see every other error.
 *
 * @example answerDenialsOnGateways(app); // the module's WebSocket adapters call it
 */
export function answerDenialsOnGateways(app: INestApplicationContext): void {
  const filter = new SessionSecurityExceptionFilter();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as object | undefined;
      if (!type || typeof type !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, type)) {
        continue;
      }
      const own = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, type) as unknown[]) ?? [];
      if (own.some((f) => f instanceof SessionSecurityExceptionFilter)) continue;
      Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [...own, filter], type);
    }
  }
}
