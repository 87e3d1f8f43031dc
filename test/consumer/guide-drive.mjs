// Runs the app that docs/getting-started.md builds, as its reader would: run.sh assembles the
// guide's `// file:` blocks and compiles them; this script, inside that app, runs the migrations
// and the create-user script, starts the app on PostgreSQL (a schema of its own) and a Redis
// server of its own, and drives it over HTTP: sign-in with a CSRF token, the guarded route, the
// fresh-auth route, re-authentication, logout, and 429 on the 6th wrong password. Exits non-zero
// on a miss. Usage (in the compiled guide app): CONSUMER_SCHEMA=<name> node guide-drive.mjs
/* global fetch -- Node's own, as in the consumer app */
import { execFile, spawn } from 'node:child_process';
import console from 'node:console';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const schema = process.env.CONSUMER_SCHEMA ?? `consumer_guide_${process.pid}`;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = promisify(execFile);
const failures = [];

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const redisAnswers = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
  });

async function waitFor(what, check, tries = 100) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up`);
}

async function sql(statement) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function expect(step, res, status, body, code) {
  const error = body && typeof body === 'object' ? body.error : undefined;
  console.log(`guide ${step}: ${res.status}${error ? ` ${error}` : ''}`);
  if (res.status !== status || (code !== undefined && error !== code)) {
    failures.push(
      `${step}: got ${res.status} ${JSON.stringify(body)}, want ${status} ${code ?? ''}`,
    );
  }
}

const redisPort = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
let app = null;
try {
  await waitFor('redis-server', () => redisAnswers(redisPort));
  await sql(`CREATE SCHEMA "${schema}"`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: url.toString(),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORT: String(port),
  };
  console.log((await run('node', ['dist/migrate.js'], { env })).stdout.trim());
  const created = await run('node', ['dist/create-user.js', 'ann', 'ann-long-password', 'member'], {
    env,
  });
  console.log(created.stdout.trim());

  app = spawn('node', ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  app.stdout.on('data', (data) => (output += data));
  const exited = new Promise((resolve) => app.on('exit', resolve));
  await waitFor(
    'the guide app',
    () => output.includes(`listening on http://127.0.0.1:${port}`),
    300,
  );

  const base = `http://127.0.0.1:${port}`;
  const json = { 'content-type': 'application/json' };
  const call = async (method, path, { headers = {}, body } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { ...json, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { res, body: text ? JSON.parse(text) : null };
  };
  const cookieOf = (res) => (res.headers.get('set-cookie') ?? '').split(';')[0];

  const login = await call('POST', '/auth/login', {
    body: { username: 'ann', password: 'ann-long-password' },
  });
  expect('login', login.res, 200, login.body);
  const cookie = cookieOf(login.res);
  if (!cookie.startsWith('__Host-')) failures.push(`login: no __Host- cookie (${cookie})`);
  if (typeof login.body?.csrfToken !== 'string') failures.push('login: no csrfToken');
  if (login.body?.user?.id !== 1) failures.push(`login: user ${JSON.stringify(login.body?.user)}`);

  const anonymous = await call('GET', '/profile');
  expect('profile without a session', anonymous.res, 401, anonymous.body, 'session_required');
  const profile = await call('GET', '/profile', { headers: { cookie } });
  expect('profile', profile.res, 200, profile.body);
  if (profile.body?.userId !== '1') failures.push(`profile: userId ${profile.body?.userId}`);

  const forged = await call('DELETE', '/sessions/others', { headers: { cookie } });
  expect('fresh-auth route without CSRF token', forged.res, 403, forged.body, 'csrf_rejected');
  const csrf = { cookie, 'x-csrf-token': login.body?.csrfToken };
  const fresh = await call('DELETE', '/sessions/others', { headers: csrf });
  expect('fresh-auth route', fresh.res, 200, fresh.body);

  const wrongReauth = await call('POST', '/auth/reauth', {
    headers: csrf,
    body: { password: 'wrong' },
  });
  expect('reauth, wrong password', wrongReauth.res, 401, wrongReauth.body, 'invalid_credentials');
  const reauth = await call('POST', '/auth/reauth', {
    headers: csrf,
    body: { password: 'ann-long-password' },
  });
  expect('reauth', reauth.res, 200, reauth.body);
  const renewed = { cookie: cookieOf(reauth.res), 'x-csrf-token': reauth.body?.csrfToken };
  const old = await call('GET', '/profile', { headers: { cookie } });
  expect('profile with the token before reauth', old.res, 401, old.body);

  const logout = await call('POST', '/auth/logout', { headers: renewed });
  expect('logout', logout.res, 204, logout.body);
  const after = await call('GET', '/profile', { headers: { cookie: renewed.cookie } });
  expect('profile after logout', after.res, 401, after.body, 'session_revoked');

  // Section 8: the operations CLI, installed as the package's bin, against the guide's app.
  const again = await call('POST', '/auth/login', {
    body: { username: 'ann', password: 'ann-long-password' },
  });
  expect('login for the CLI', again.res, 200, again.body);
  const cli = ['node_modules/.bin/session-security', '--config', 'dist/session-security.cli.js'];
  const dry = await run(cli[0], [...cli.slice(1), 'revoke', '--user', '1', '--dry-run'], { env });
  if (!/\b1\b/.test(dry.stdout)) failures.push(`cli dry run: ${dry.stdout}`);
  await run(cli[0], [...cli.slice(1), 'revoke', '--user', '1', '--reason', 'guide', '--yes'], {
    env,
  });
  const revoked = await call('GET', '/profile', { headers: { cookie: cookieOf(again.res) } });
  expect('profile after the CLI revoked it', revoked.res, 401, revoked.body, 'session_revoked');

  for (let i = 1; i <= 5; i++) {
    const bad = await call('POST', '/auth/login', { body: { username: 'ann', password: 'wrong' } });
    expect(`wrong password ${i}`, bad.res, 401, bad.body, 'invalid_credentials');
  }
  const locked = await call('POST', '/auth/login', {
    body: { username: 'ann', password: 'ann-long-password' },
  });
  expect('6th attempt', locked.res, 429, locked.body, 'too_many_attempts');
  if (!(Number(locked.res.headers.get('retry-after')) > 0))
    failures.push('429 without Retry-After');

  app.kill('SIGTERM');
  const code = await exited;
  app = null;
  if (code !== 0 && code !== null) failures.push(`the guide app exited with ${code} on SIGTERM`);
} finally {
  if (app) app.kill('SIGKILL');
  redis.kill('SIGTERM');
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((error) => {
    failures.push(`dropping ${schema}: ${error.message}`);
  });
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('guide app scenario passed');
