import { median, signIn } from './load.js';
import type { Prober, ProbeAnswer } from './probe.js';
import type { RevocationInstance } from './revocation-instance.js';

/** Permission change timings over several samples, each on a fresh session. */
export interface PermissionChangeResult {
  samples: number;
  /** `permissionsChanged()` itself, call to return, median ms. */
  callMedianMs: number;
  /** First refused answer of the second instance after the call returned, median ms (negative: before). */
  firstRefusedMedianMs: number;
  firstRefusedMaxMs: number;
  /** Requests the second instance answered 200 although they were sent after the call returned. */
  servedAfterReturn: number;
  /** Error code of the refusals (expected: `reauth_required`). */
  codes: string[];
  perSample: Array<{ callMs: number; firstRefusedMs: number; requests: number }>;
}

const DEADLINE_MS = 5_000;
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * For each sample: signs in on the second instance (user `2`, as the bench login does), keeps one
 * connection sending `GET /bench/ping` back to back, calls `permissionsChanged('2')` on the
 * revoking instance, and records when the first refusal came back, relative to the call's return.
 */
export async function measurePermissionChange(
  instance: RevocationInstance,
  serverUrl: string,
  prober: Prober,
  samples: number,
): Promise<PermissionChangeResult> {
  const perSample: PermissionChangeResult['perSample'] = [];
  const codes = new Set<string>();
  let servedAfterReturn = 0;
  for (let index = 0; index < samples; index++) {
    const cookie = await signIn(serverUrl);
    for (let warm = 0; warm < 3; warm++) {
      const answer = await prober.get('/bench/ping', cookie);
      if (answer.status !== 200) throw new Error(`fresh session answered ${answer.status}`);
    }
    const answers: ProbeAnswer[] = [];
    let returnedAt = Number.POSITIVE_INFINITY;
    const giveUpAt = performance.now() + DEADLINE_MS;
    const polling = (async () => {
      for (;;) {
        const answer = await prober.get('/bench/ping', cookie);
        answers.push(answer);
        if (answer.status !== 200) return answer;
        if (performance.now() > giveUpAt) return null;
      }
    })();
    const calledAt = performance.now();
    await instance.revocations.permissionsChanged('2', { reason: 'bench', actor: 'bench' });
    returnedAt = performance.now();
    const refused = await polling;
    if (!refused) throw new Error(`no refusal within ${DEADLINE_MS} ms of permissionsChanged()`);
    codes.add(`${refused.status} ${refused.error}`);
    servedAfterReturn += answers.filter((a) => a.status === 200 && a.sentAt >= returnedAt).length;
    perSample.push({
      callMs: round(returnedAt - calledAt),
      firstRefusedMs: round(refused.receivedAt - returnedAt),
      requests: answers.length,
    });
  }
  const refusedMs = perSample.map((s) => s.firstRefusedMs);
  return {
    samples,
    callMedianMs: round(median(perSample.map((s) => s.callMs))),
    firstRefusedMedianMs: round(median(refusedMs)),
    firstRefusedMaxMs: Math.max(...refusedMs),
    servedAfterReturn,
    codes: [...codes],
    perSample,
  };
}
