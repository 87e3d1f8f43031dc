import { Redis } from 'ioredis';
import { insertCorpus, revokeCorpus } from '../bulk-corpus.js';
import { waitForJob } from '../jobs.js';
import type { Scenario } from '../scenario.js';

const CORPUS = 2_000;

/**
 * Redis loses every key (FLUSHALL) while a bulk revocation runs: the job's queue state is gone,
 * its rows in the database are not. The job must still finish with exact counts.
 */
export const redisDataLoss: Scenario = {
  name: 'redis-data-loss',
  title: 'Redis data lost (FLUSHALL) mid bulk revocation',
  dependsOn: '#16 item 3 (jobs survive Redis data loss)',
  async run({ servers, stack, traffic, jobIds, fault, check, sleep }) {
    await insertCorpus(stack, CORPUS);
    await sleep(2_000);
    const job = await revokeCorpus(stack, traffic, 'faults data-loss corpus');
    jobIds.push(job.jobId);
    const midway = await waitForJob(stack, job.jobId, (r) => r.revoked >= CORPUS / 10, 60_000);
    await fault('FLUSHALL', async () => {
      const client = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
      await client.flushall().finally(() => client.disconnect());
    });
    const atLoss = await waitForJob(stack, job.jobId, () => true, 1_000);
    check(
      'the data was lost mid job',
      midway !== null && atLoss !== null && atLoss.revoked < CORPUS,
      `right after the flush: ${atLoss?.state}, ${atLoss?.revoked} of ${CORPUS} revoked`,
    );
    await sleep(6_000);
  },
};
