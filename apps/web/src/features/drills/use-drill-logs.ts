import { useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import type { DrillLogLine } from '@keepwatch/shared';

const KEEP = 2000;

/**
 * While a drill runs, both load balancers' keepalived and nginx lines streamed live (the
 * stored report has them once it ends). Lines older than `since` are dropped (the tail the
 * relay sends first may predate the drill); at most KEEP are kept.
 */
export function useDrillLogs(
  clusterId: string | null,
  nodes: readonly string[],
  since: number,
): DrillLogLine[] {
  const { live } = useServices();
  const [lines, setLines] = useState<DrillLogLine[]>([]);
  const key = nodes.join(',');
  useEffect(() => {
    if (clusterId === null || key === '') return;
    return live.subscribeLogs(
      { cluster: clusterId, nodes: key.split(','), sources: ['keepalived', 'nginx'], tail: 50 },
      (e) => {
        if (e.type !== 'log.lines') return;
        const fresh = e.lines
          .filter((l) => l.ts >= since)
          .map((l) => ({ at: l.ts, node: e.node, source: e.source, text: l.text }));
        if (fresh.length > 0) setLines((all) => [...all, ...fresh].slice(-KEEP));
      },
    );
  }, [live, clusterId, key, since]);
  return lines;
}
