import { useEffect, useState } from 'react';
import type { DrillProof } from '@keepwatch/shared';
import { useServices } from '../../app/services';

const REFRESH_MS = 60_000;

/**
 * When each cluster's failover was last proven (GET /drills/proof), by cluster id: read on
 * mount, when a drill ends anywhere (the live feed's drill.phase), and every minute (a proof
 * goes stale by the clock alone). The overview flags the stale ones.
 */
export function useDrillProof(): ReadonlyMap<string, DrillProof> {
  const { api, live } = useServices();
  const [proof, setProof] = useState<ReadonlyMap<string, DrillProof>>(new Map());
  useEffect(() => {
    let alive = true;
    const load = () =>
      api.drillProof().then(
        (r) => alive && setProof(new Map(r.clusters.map((c) => [c.clusterId, c]))),
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const off = live.subscribeDrills((m) => {
      if (m.type === 'drill.phase' && m.status !== 'running') void load();
    });
    return () => {
      alive = false;
      clearInterval(timer);
      off();
    };
  }, [api, live]);
  return proof;
}
