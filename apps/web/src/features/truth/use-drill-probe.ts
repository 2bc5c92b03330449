import { useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { emptyProbe, foldProbe, type ProbeState } from './probe-model';

/**
 * The client probe of a drill running on this cluster, as it arrives on the live feed. A drill
 * already running when the page opens joins from the running drill's next phase message, or at
 * once from the drill list (GET /drills?clusterId=&limit=1).
 */
export function useDrillProbe(clusterId: string): ProbeState {
  const { api, live } = useServices();
  // Keyed by cluster: another cluster's page starts from nothing without a reset in the effect.
  const [keyed, setKeyed] = useState<{ clusterId: string; state: ProbeState }>({
    clusterId,
    state: emptyProbe,
  });
  useEffect(() => {
    let alive = true;
    const setState = (f: (s: ProbeState) => ProbeState) =>
      setKeyed((k) => ({
        clusterId,
        state: f(k.clusterId === clusterId ? k.state : emptyProbe),
      }));
    const off = live.subscribeDrills((m) => setState((s) => foldProbe(s, m, clusterId)));
    api.drills(clusterId, 1).then(
      (r) => {
        const d = r.drills[0];
        if (!alive || d?.status !== 'running') return;
        setState((s) =>
          foldProbe(
            s,
            {
              type: 'drill.phase',
              drillId: d.id,
              clusterId,
              kind: d.kind,
              phase: d.phase,
              status: 'running',
              at: Date.now(),
            },
            clusterId,
          ),
        );
      },
      () => undefined,
    );
    return () => {
      alive = false;
      off();
    };
  }, [api, live, clusterId]);
  return keyed.clusterId === clusterId ? keyed.state : emptyProbe;
}
