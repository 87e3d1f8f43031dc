import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';

/** Boots the app, drives login → guarded request → revocation over HTTP, exits non-zero on a miss. */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const failures: string[] = [];
  const expectStatus = (
    step: string,
    res: Response,
    status: number,
    code?: string,
    body?: unknown,
  ) => {
    const error = (body as { error?: string } | undefined)?.error;
    if (res.status !== status || (code !== undefined && error !== code)) {
      failures.push(
        `${step}: got ${res.status} ${JSON.stringify(body)}, want ${status} ${code ?? ''}`,
      );
    }
    console.log(`${step}: ${res.status}${error ? ` ${error}` : ''}`);
  };
  try {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'u-42' }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expectStatus('login', login, 200);
    if (!cookie.startsWith('__Host-')) failures.push(`login: no __Host- cookie (${cookie})`);

    const anonymous = await fetch(`${base}/profile`);
    expectStatus(
      'profile without a session',
      anonymous,
      401,
      'session_required',
      await anonymous.json(),
    );

    const profile = await fetch(`${base}/profile`, { headers: { cookie } });
    const me = (await profile.json()) as { userId?: string };
    expectStatus('profile', profile, 200, undefined, me);
    if (me.userId !== 'u-42') failures.push(`profile: userId ${me.userId}`);

    const forged = await fetch(`${base}/sessions/revoke-all`, {
      method: 'POST',
      headers: { cookie },
    });
    expectStatus('revoke without CSRF token', forged, 403, 'csrf_rejected', await forged.json());

    const revoke = await fetch(`${base}/sessions/revoke-all`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expectStatus('revoke', revoke, 200, undefined, await revoke.json());

    const after = await fetch(`${base}/profile`, { headers: { cookie } });
    expectStatus('profile after revocation', after, 401, 'session_revoked', await after.json());
  } finally {
    const dataSource = app.get(DataSource);
    await app.close();
    await dataSource.query(`DROP SCHEMA IF EXISTS "${process.env.CONSUMER_SCHEMA}" CASCADE`);
    await dataSource.destroy();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`consumer:${process.env.CONSUMER_SCHEMA}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  // Everything is closed now: a connection still open would keep the app's process alive.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const sockets = process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap');
  if (sockets.length) failures.push(`${sockets.length} connection(s) still open after app.close()`);
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log('consumer scenario passed');
}

await main();
