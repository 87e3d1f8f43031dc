import { api } from './api.js';
import { byId, el, formatTime, replace } from './dom.js';
import { readFilter } from './revocation-filter.js';
import { action, startPage, status } from './shell.js';

const POLL_MS = 500;
const FINAL = new Set(['completed', 'failed', 'cancelled']);
let previewed = null;

const me = await startPage('operations', { adminOnly: true });
if (me) {
  byId('revoke-form').addEventListener('submit', action(preview));
  byId('start').addEventListener('click', action(start));
  byId('refresh-jobs').addEventListener('click', action(loadJobs));
  await action(loadJobs)();
}

async function preview(event) {
  event.preventDefault();
  const request = { filter: readFilter(), reason: byId('reason').value.trim() };
  const result = await api('POST', '/admin/session-revocations', { ...request, dryRun: true });
  previewed = request;
  byId('preview-count').textContent =
    `${result.matched} session(s) match. Nothing has been ended yet.`;
  replace(byId('sample').tBodies[0], ...(result.sample ?? []).map(sampleRow));
  byId('sample').hidden = !result.sample?.length;
  byId('start').hidden = result.matched === 0;
  byId('start').textContent = `End ${result.matched} session(s)`;
  byId('preview').hidden = false;
  status('Dry run done: review the sessions below.');
  if (result.matched > 0) byId('start').focus();
}

function sampleRow(session) {
  return el(
    'tr',
    {},
    el('td', {}, el('code', {}, session.id.slice(0, 8))),
    el('td', {}, session.userId),
    el('td', {}, formatTime(session.createdAt)),
    el('td', {}, session.ip ?? 'unknown'),
  );
}

async function start() {
  if (!previewed) return;
  const { jobId, matched } = await api('POST', '/admin/session-revocations', previewed);
  previewed = null;
  byId('preview').hidden = true;
  byId('job').hidden = false;
  byId('job').dataset.jobId = jobId;
  status(`Job started for ${matched} session(s).`);
  byId('job-title').textContent = `Revocation job ${jobId}`;
  await watch(jobId);
}

async function watch(jobId) {
  for (;;) {
    const job = await api('GET', `/admin/session-revocations/${encodeURIComponent(jobId)}`);
    byId('job-progress').value = job.progress;
    byId('job-state').textContent =
      `${job.state}: ${job.revoked} of ${job.matched} session(s) ended (${job.progress} %).`;
    byId('job').dataset.state = job.state;
    if (FINAL.has(job.state)) return loadJobs();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function loadJobs() {
  const jobs = await api('GET', '/admin/session-revocations?limit=10');
  replace(
    byId('jobs').tBodies[0],
    ...jobs.map((job) =>
      el(
        'tr',
        {},
        el('td', {}, el('code', {}, job.jobId.slice(0, 8))),
        el('td', {}, formatTime(job.createdAt)),
        el('td', {}, job.reason ?? ''),
        el('td', {}, job.state),
        el('td', {}, `${job.revoked} / ${job.matched}`),
      ),
    ),
  );
}
