import type { ExecutionContext, Type } from '@nestjs/common';

/**
 * A fake ExecutionContext of `type` over `args`, laid out as Nest lays out each surface:
 * `[request, response]` for http, `[root, args, context, info]` for graphql,
 * `[client, data, pattern]` for ws and `[data, transportContext]` for rpc.
 *
 * @example resolveCall(contextOf('rpc', [{ sessionToken }, tcpContext]))
 */
export function contextOf(
  type: string,
  args: unknown[],
  target: { handler?: (...args: never[]) => unknown; cls?: Type } = {},
): ExecutionContext {
  return {
    getType: () => type,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getHandler: () => target.handler ?? function handle() {},
    getClass: () => target.cls ?? class Handlers {},
    switchToHttp: () => ({ getRequest: () => args[0], getResponse: () => args[1] }),
    switchToWs: () => ({
      getClient: () => args[0],
      getData: () => args[1],
      getPattern: () => args[2],
    }),
    switchToRpc: () => ({ getData: () => args[0], getContext: () => args[1] }),
  } as unknown as ExecutionContext;
}
