import { emptyReport } from '../modules/drills/drill-plan';
import type { NewDrill } from '../storage/drill-repository';

/**
 * A running drill's row as a server stores it at the start (app.repos.drills.insert): a
 * keepalived-stop by alice with a 3 s hold, owned by `owner`. Tests that need another
 * replica's drill in the database, or rows for the store's contract, start from it.
 */
export function drillRow(
  id: string,
  clusterId: string,
  owner: string | null,
  over: Partial<NewDrill> = {},
): NewDrill {
  return {
    id,
    clusterId,
    kind: 'keepalived-stop',
    options: { holdMs: 3000 },
    preflight: null,
    report: emptyReport({
      probeIntervalMs: 10,
      probeTimeoutMs: 200,
      holdMs: 3000,
      vip: '10.0.0.9',
    }),
    startedBy: 'alice',
    scheduleId: null,
    startedAt: 1_800_000_000_000,
    owner,
    ...over,
  };
}
