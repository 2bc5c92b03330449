import type { LiveToBrowser, StatusCluster } from '@keepwatch/shared';

/*
 * The browser's copy of the live feed, as a pure reducer (rules from live-messages.ts):
 *
 *   LIVE-1 hello             -> no data change.
 *   LIVE-2 snapshot {rev}    -> replaces everything; rev becomes the base.
 *   LIVE-3 patch before any snapshot -> resync (we have nothing to patch).
 *   LIVE-4 patch rev == last + 1     -> upsert clusters by id (in place, new ones appended),
 *                                       then remove ids; rev advances.
 *   LIVE-5 patch rev != last + 1     -> resync: state unchanged, caller reconnects for a
 *                                       fresh snapshot (a missed patch may hide a failover).
 */

export interface LiveData {
  /** null until the first snapshot of a connection. */
  rev: number | null;
  clusters: readonly StatusCluster[];
  /** Server epoch ms of the newest data (snapshot generatedAt or patch at). */
  asOf: number | null;
}

export const emptyLiveData: LiveData = { rev: null, clusters: [], asOf: null };

export type LiveStep =
  { kind: 'ok'; data: LiveData } | { kind: 'resync'; data: LiveData; reason: string };

/** The status part of the feed (alerts, logs and heartbeats are kept elsewhere). */
export type LiveStatusMessage = Extract<LiveToBrowser, { type: 'hello' | 'snapshot' | 'patch' }>;

export function applyLiveMessage(data: LiveData, msg: LiveStatusMessage): LiveStep {
  switch (msg.type) {
    case 'hello':
      return { kind: 'ok', data };
    case 'snapshot':
      return {
        kind: 'ok',
        data: { rev: msg.rev, clusters: msg.status.clusters, asOf: msg.status.generatedAt },
      };
    case 'patch': {
      if (data.rev === null) return { kind: 'resync', data, reason: 'patch before snapshot' };
      if (msg.rev !== data.rev + 1) {
        return { kind: 'resync', data, reason: `rev gap: had ${data.rev}, got ${msg.rev}` };
      }
      return {
        kind: 'ok',
        data: { rev: msg.rev, clusters: patchClusters(data.clusters, msg), asOf: msg.at },
      };
    }
  }
}

function patchClusters(
  current: readonly StatusCluster[],
  patch: { upsert: readonly StatusCluster[]; remove: readonly string[] },
): StatusCluster[] {
  const incoming = new Map(patch.upsert.map((c) => [c.id, c]));
  const next = current.map((c) => incoming.get(c.id) ?? c);
  const known = new Set(current.map((c) => c.id));
  for (const [id, c] of incoming) if (!known.has(id)) next.push(c);
  const removed = new Set(patch.remove);
  return next.filter((c) => !removed.has(c.id));
}
