import { useCallback, useEffect, useState } from 'react';
import type { Drill } from '@keepwatch/shared';
import { ApiRequestError } from '../../lib/api-client';
import { useServices } from '../../app/services';
import { applyDrillMessage, viewOf, type DrillView } from './drills-model';

export type DrillLoad =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'error'; message: string }
  | { state: 'ready'; drill: Drill; view: DrillView };

/**
 * One drill: read once, then kept current by the live feed (drills-model.ts DV-1..DV-6);
 * read again when it ends, for the full report. Live messages that arrive before the first
 * read are not lost: the read is the base and already holds them (DV-5 drops overlaps).
 */
export function useDrill(id: string): { load: DrillLoad; reload: () => void } {
  const { api, live } = useServices();
  // Tagged with the id it is for: another drill's result reads as "loading" (no reset needed).
  const [tagged, setTagged] = useState<{ id: string; load: DrillLoad } | null>(null);
  const load: DrillLoad = tagged?.id === id ? tagged.load : { state: 'loading' };

  const reload = useCallback(() => {
    const set = (l: DrillLoad): void => setTagged({ id, load: l });
    api.drill(id).then(
      (drill) => set({ state: 'ready', drill, view: viewOf(drill) }),
      (err: unknown) =>
        set(
          err instanceof ApiRequestError && 'status' in err.failure && err.failure.status === 404
            ? { state: 'missing' }
            : { state: 'error', message: (err as Error).message },
        ),
    );
  }, [api, id]);

  useEffect(reload, [reload]);

  useEffect(
    () =>
      live.subscribeDrills((msg) =>
        setTagged((x) =>
          x?.load.state === 'ready'
            ? { id: x.id, load: { ...x.load, view: applyDrillMessage(x.load.view, msg) } }
            : x,
        ),
      ),
    [live],
  );

  const needsReload = load.state === 'ready' && load.view.needsReload;
  useEffect(() => {
    if (needsReload) reload();
  }, [needsReload, reload]);

  return { load, reload };
}
