import { useCallback, useEffect, useState } from 'react';
import type { MaintenanceWindow } from '@keepwatch/shared';
import { useServices } from '../../app/services';

const REFRESH_MS = 30_000;

/**
 * Open and upcoming maintenance windows (of one cluster, or all), read on mount, after a change
 * made here (reload) and every 30 s: windows change rarely and by hand, and a window opening
 * or ending on its own needs no message (the clock decides).
 */
export function useMaintenance(cluster?: string): {
  windows: MaintenanceWindow[];
  error: string | null;
  reload: () => void;
} {
  const { api } = useServices();
  const [windows, setWindows] = useState<MaintenanceWindow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.maintenance(cluster).then(
      (list) => {
        setWindows(list.active);
        setError(null);
      },
      (err: unknown) => setError((err as Error).message),
    );
  }, [api, cluster]);
  useEffect(() => {
    reload();
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return { windows, error, reload };
}

/** The windows open at `now` that cover `node` (or the whole cluster when node is undefined). */
export function openWindows(
  windows: readonly MaintenanceWindow[],
  now: number,
  cluster: string,
  node?: string,
): MaintenanceWindow[] {
  return windows.filter(
    (w) =>
      w.clusterId === cluster &&
      w.startsAt <= now &&
      w.endsAt > now &&
      (w.node === null || (node !== undefined && w.node === node)),
  );
}
