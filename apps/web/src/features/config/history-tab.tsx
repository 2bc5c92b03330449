import { useCallback, useEffect, useState } from 'react';
import type { ChangesetDetail, ChangesetSummary, PushView } from '@keepwatch/shared';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { DiffView } from './diff-view';
import { isFinished, previousChangeset } from './push-model';

/*
 * Versions of the cluster, newest first: who, when, why, which files; a version's changes
 * against the one before it, side by side; roll the cluster back to it (operators), which
 * runs as a new push watched like any other.
 */

export function HistoryTab(props: {
  clusterId: string;
  currentId: string | undefined;
  canPush: boolean;
  push: PushView | null;
  watch: (pushId: string) => Promise<void>;
}) {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const h = t.config.history;
  const [list, setList] = useState<ChangesetSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(() => {
    api.changesets(props.clusterId).then(
      (r) => {
        setList(r.changesets);
        setError(null);
      },
      (err: unknown) => setError((err as Error).message),
    );
  }, [api, props.clusterId]);
  // Again whenever a push finishes: it may have made a version.
  const finished = props.push && isFinished(props.push.status) ? props.push.id : null;
  useEffect(() => load(), [load, finished]);

  const running = props.push !== null && !isFinished(props.push.status);
  const rollback = async (c: ChangesetSummary): Promise<void> => {
    if (!window.confirm(h.rollbackConfirm(c.id))) return;
    setProblem(null);
    try {
      const { pushId } = await api.rollback(c.id, { message: h.rollbackMessage(c.id) });
      await props.watch(pushId);
    } catch (err) {
      setProblem(t.config.push.failed((err as Error).message));
    }
  };

  if (error) return <ErrorState message={error} onRetry={load} />;
  if (!list) return <Loading text={h.loadingDiff} />;
  if (list.length === 0) return <Empty>{h.empty}</Empty>;
  return (
    <section aria-labelledby="cfg-history-title" className="cfg-history">
      <h2 id="cfg-history-title">{h.title}</h2>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      <ol className="versions" data-testid="versions">
        {list.map((c) => {
          const changed = c.files.filter((f) => f.changed).length;
          const isCurrent = c.id === props.currentId;
          return (
            <li
              key={c.id}
              className="version"
              data-testid={`version-${c.id}`}
              data-current={isCurrent}
            >
              <div className="version-head">
                <strong className="mono">{c.id}</strong>
                {isCurrent && <span className="badge badge-green">{h.current}</span>}
                {c.rollbackOf && (
                  <span className="badge badge-grey">{h.rollbackOf(c.rollbackOf)}</span>
                )}
                {!c.pushId && !c.rollbackOf && (
                  <span className="badge badge-grey">{h.baseline}</span>
                )}
                <span className="muted small">{h.by(c.author, fmt.dateTime(c.createdAt))}</span>
              </div>
              <p className="version-msg">{c.message}</p>
              <div className="version-actions">
                <span className="muted small">{h.files(changed)}</span>
                <button
                  type="button"
                  className="ghost small"
                  aria-expanded={open === c.id}
                  data-testid={`version-diff-${c.id}`}
                  onClick={() => setOpen(open === c.id ? null : c.id)}
                >
                  {h.showDiff}
                </button>
                {props.canPush && !isCurrent && (
                  <button
                    type="button"
                    className="ghost small"
                    data-testid={`rollback-${c.id}`}
                    disabled={running}
                    onClick={() => void rollback(c)}
                  >
                    {h.rollback}
                  </button>
                )}
              </div>
              {open === c.id && (
                <VersionDiff version={c} previous={previousChangeset(list, c.id)} />
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function VersionDiff(props: { version: ChangesetSummary; previous: ChangesetSummary | null }) {
  const { api } = useServices();
  const { t } = useI18n();
  const h = t.config.history;
  const [pair, setPair] = useState<{ now: ChangesetDetail; before: ChangesetDetail | null } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const versionId = props.version.id;
  const previousId = props.previous?.id;
  useEffect(() => {
    let alive = true;
    Promise.all([
      api.changeset(versionId),
      previousId ? api.changeset(previousId) : Promise.resolve(null),
    ]).then(
      ([now, before]) => alive && setPair({ now, before }),
      (err: unknown) => alive && setError((err as Error).message),
    );
    return () => {
      alive = false;
    };
  }, [api, versionId, previousId]);
  if (error) return <ErrorState message={error} />;
  if (!pair) return <Loading text={h.loadingDiff} />;
  const files = pair.now.contents.filter((f) => {
    const old = pair.before?.contents.find((o) => o.host === f.host && o.component === f.component);
    return old?.content !== f.content;
  });
  return (
    <div className="version-diff" data-testid={`version-diffs-${versionId}`}>
      <h3 className="small">
        {previousId ? h.diffTitle(versionId, previousId) : h.diffFirst(versionId)}
      </h3>
      {files.length === 0 ? (
        <Empty>{h.noDiff}</Empty>
      ) : (
        files.map((f) => {
          const old = pair.before?.contents.find(
            (o) => o.host === f.host && o.component === f.component,
          );
          return (
            <DiffView
              key={`${f.host}/${f.component}`}
              title={`${f.host}: ${f.path}`}
              before={old?.content ?? ''}
              after={f.content}
              beforeLabel={previousId ?? '—'}
              afterLabel={versionId}
            />
          );
        })
      )}
    </div>
  );
}
