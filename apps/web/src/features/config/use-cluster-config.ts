import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClusterConfigResponse, PushView } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { carryDraft, initialDraft, type Draft, type LiveHost } from './config-draft';
import { isFinished, mergeProgress, nextShownPush } from './push-model';

/*
 * The config page's data: the live files (GET /clusters/:id/config), the draft laid over
 * them, and the push being watched (its progress from the live socket's push.progress,
 * after one GET for where it stands). Loading the live files again resets the draft, except
 * after a push that did not succeed: the operator's edits stay, to fix and push again.
 */

export interface ClusterConfigState {
  data: ClusterConfigResponse | null;
  hosts: LiveHost[];
  error: string | null;
  reload: () => void;
  draft: Draft;
  setDraft: (d: Draft) => void;
  push: PushView | null;
  /** Start watching a push (after POST push/rollback returned its id). */
  watch: (pushId: string) => Promise<void>;
}

export function useClusterConfig(clusterId: string): ClusterConfigState {
  const { api, live } = useServices();
  const [data, setData] = useState<ClusterConfigResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>({});
  const [push, setPush] = useState<PushView | null>(null);
  const generation = useRef(0);

  const dataRef = useRef<ClusterConfigResponse | null>(null);
  /** Reads the live files again; `keepEdits`: the operator's edited files stay as edited. */
  const load = useCallback(
    (keepEdits: boolean) => {
      const mine = ++generation.current;
      api.clusterConfig(clusterId).then(
        (d) => {
          if (mine !== generation.current) return;
          const before = dataRef.current;
          dataRef.current = d;
          setData(d);
          setDraft((cur) =>
            keepEdits && before ? carryDraft(before.hosts, cur, d.hosts) : initialDraft(d.hosts),
          );
          setError(null);
        },
        (err: unknown) => {
          if (mine !== generation.current) return;
          setError((err as Error).message);
        },
      );
    },
    [api, clusterId],
  );
  const reload = useCallback(() => load(false), [load]);

  useEffect(() => reload(), [reload]);

  const watch = useCallback(
    async (pushId: string): Promise<void> => {
      const view = await api.push(pushId);
      setPush((cur) => (cur?.id === view.id ? (mergeProgress(cur, view) ?? view) : view));
    },
    [api],
  );

  // A push already running when the page opened (another operator's, or before a reload).
  const running = data?.runningPushId;
  const shownId = push?.id;
  useEffect(() => {
    if (!running || shownId === running) return;
    api.push(running).then(
      (view) => setPush((cur) => (cur?.id === view.id ? (mergeProgress(cur, view) ?? view) : view)),
      () => undefined,
    );
  }, [api, running, shownId]);

  useEffect(
    () =>
      live.subscribePushes(({ push: p }) => {
        if (p.clusterId !== clusterId) return;
        setPush((cur) => nextShownPush(cur, p));
      }),
    [live, clusterId],
  );

  // A finished real push changed the live files: read them again (the agents report a
  // changed file at once; one more read a little later catches a slow one). A push that
  // did not succeed keeps the operator's edits, to fix and push again. The later read always
  // keeps edits: those are new ones, made since the first read (the e2e config test typed
  // its next edit within the 3 s after a rollback, and this read threw it away).
  const finishedId = push && isFinished(push.status) && !push.dryRun ? push.id : null;
  const keepEdits = push?.status !== 'succeeded';
  useEffect(() => {
    if (!finishedId) return;
    load(keepEdits);
    const again = setTimeout(() => load(true), 3000);
    return () => clearTimeout(again);
  }, [finishedId, keepEdits, load]);

  const hosts = useMemo(() => (data?.hosts ?? []) as LiveHost[], [data]);
  return { data, hosts, error, reload, draft, setDraft, push, watch };
}
