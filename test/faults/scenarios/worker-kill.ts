import { insertCorpus, revokeCorpus } from '../bulk-corpus.js';
import { waitForJob } from '../jobs.js';
import type { Scenario } from '../scenario.js';

/** Sessions the bulk job works through (50 per batch). */
const CORPUS = 2_000;

/** The worker SIGKILLed in the middle of a bulk revocation; a new worker finishes it. */
export const workerKill: Scenario = {
  name: 'worker-kill',
  title: 'Worker SIGKILLed mid bulk revocation',
  async run({ stack, traffic, jobIds, fault, check, sleep }) {
    await insertCorpus(stack, CORPUS);
    await sleep(2_000);
    const job = await revokeCorpus(stack, traffic, 'faults worker-kill corpus');
    jobIds.push(job.jobId);
    check('the job matched the corpus', job.matched === CORPUS, `${job.matched} matched`);
    const midway = await waitForJob(stack, job.jobId, (r) => r.revoked >= CORPUS / 10, 60_000);
    await fault('worker killed', async () => {
      const worker = stack.worker;
      worker?.signal('SIGKILL');
      await worker?.exited;
      const atKill = await waitForJob(stack, job.jobId, () => true, 1_000);
      check(
        'the worker died mid job',
        midway !== null && atKill?.state === 'active' && atKill.revoked < CORPUS,
        `at the kill: ${atKill?.state}, ${atKill?.revoked} of ${CORPUS} revoked`,
      );
      await sleep(1_000);
      await stack.startWorker();
    });
    await sleep(5_000);
  },
};
