import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The run's own PostgreSQL schema and Redis key prefix, and how to remove both. */
export interface BenchEnvironment {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Checks both servers answer, then creates the schema; fails fast with the URL that does not. */
export async function prepareEnvironment(): Promise<BenchEnvironment> {
  await withRedis((redis) => redis.ping()).catch((error: Error) => {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${error.message})`);
  });
  const id = randomBytes(4).toString('hex');
  const schema = `bench_${id}`;
  const redisPrefix = `bench:${id}:`;
  await sql(`CREATE SCHEMA "${schema}"`);
  return {
    env: {
      ...process.env,
      BENCH_DATABASE_URL: DATABASE_URL,
      BENCH_REDIS_URL: REDIS_URL,
      BENCH_SCHEMA: schema,
      BENCH_REDIS_PREFIX: redisPrefix,
      BENCH_SECRET: randomBytes(32).toString('base64url'),
    },
    cleanup: async () => {
      await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await deleteKeys(`${redisPrefix}*`);
    },
  };
}

async function sql(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function deleteKeys(pattern: string): Promise<void> {
  return withRedis(async (redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  });
}

/** A short-lived connection that fails instead of retrying forever. */
async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
