import { createHash } from 'node:crypto';
import type { ActionResult, PushHost } from '@keepwatch/shared';
import type { HostLog, PlannedChange, PushPorts, PushTuning } from './push-ports';

/*
 * PU-10: an agent that drops (or times out) mid-apply is waited for, bounded, until it
 * comes back and says what happened: its late result (the outbox replays it), else, once it
 * has been back for observeMs, its live file (the pushed one, the previous one, or neither).
 */

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Errors after which the agent may or may not have applied the change. */
export const UNKNOWN_OUTCOME = new Set(['disconnected', 'timeout']);

export type Recovered =
  | { kind: 'result'; result: ActionResult; how: string }
  | { kind: 'installed' | 'not_installed' | 'unknown'; how: string };

/** PU-10: polls what is known of the host until its fate is clear or the wait is over. */
export async function recoverAfterDrop(
  ports: PushPorts,
  tuning: PushTuning,
  log: HostLog,
  h: PushHost,
  c: PlannedChange,
  since: number,
): Promise<Recovered> {
  const { reconnectTimeoutMs, observeMs } = tuning;
  const want = sha256(c.content);
  const deadline = since + reconnectTimeoutMs;
  log.step(
    h,
    `wait for ${h.host} to come back`,
    true,
    `up to ${reconnectTimeoutMs} ms for its result or its live ${c.component} file`,
  );
  for (;;) {
    const d = await ports.afterDrop(h.host, c.component, since);
    if (d.late)
      return { kind: 'result', result: d.late, how: 'the agent sent its result after the drop' };
    if (d.onlineSince !== undefined) {
      const backFor = ports.now() - Math.max(d.onlineSince, since);
      if (backFor >= observeMs) {
        const live = `live ${c.component} sha256 ${d.liveHash?.slice(0, 12) ?? 'unknown'}`;
        if (d.liveHash === want)
          return { kind: 'installed', how: `no result; the ${live} is the pushed file` };
        if (d.liveHash !== undefined && d.liveHash === c.baseHash)
          return {
            kind: 'not_installed',
            how: `no result; the ${live} is still the previous file`,
          };
        return {
          kind: 'unknown',
          how: `no result; the ${live} is neither the pushed nor the previous file`,
        };
      }
    }
    if (ports.now() >= deadline)
      return {
        kind: 'unknown',
        how: `the agent did not come back with an answer within ${reconnectTimeoutMs} ms`,
      };
    await ports.sleep(250);
  }
}
