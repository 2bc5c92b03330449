import { useMemo } from 'react';
import type { MaintenanceWindow } from '@keepwatch/shared';
import { useLive } from '../../app/use-app';

const NONE: readonly MaintenanceWindow[] = [];

/**
 * Open and upcoming maintenance windows (of one cluster, or all), as the live feed last sent
 * them: the server sends the list on connect and whenever a window opens, starts, ends or
 * expires, so a change made here or elsewhere shows without a re-read.
 */
export function useMaintenance(cluster?: string): readonly MaintenanceWindow[] {
  const all = useLive().maintenance ?? NONE;
  return useMemo(() => windowsOf(all, cluster), [all, cluster]);
}

/** The windows of one cluster (all of them when cluster is undefined). */
export function windowsOf(
  windows: readonly MaintenanceWindow[],
  cluster?: string,
): readonly MaintenanceWindow[] {
  return cluster === undefined ? windows : windows.filter((w) => w.clusterId === cluster);
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
