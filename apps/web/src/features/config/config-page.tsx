import { useDeferredValue, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'wouter';
import type { PageParams } from '../../app/routes';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useCan, useLive } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { analyseDraft } from './config-draft';
import { EditTab } from './edit-tab';
import { HistoryTab } from './history-tab';
import { PushProgress } from './push-progress';
import { ReviewTab } from './review-tab';
import { useClusterConfig } from './use-cluster-config';
import './config.css';

/*
 * #/clusters/:id/config — the cluster's configuration: the model as a form and the files in
 * an editor with the findings inline (Edit), the changes against the live files with dry
 * run and push (Review and push), versions with diffs and roll back (History). Viewers
 * read; operators and admins push (the server checks the role again).
 */

const TABS = ['edit', 'review', 'history'] as const;
type Tab = (typeof TABS)[number];

export default function ConfigPage({ params }: { params: PageParams }) {
  const { t, fmt } = useI18n();
  const id = params['id'] ?? '';
  const canPush = useCan('operator');
  const cluster = useLive().data.clusters.find((c) => c.id === id);
  const state = useClusterConfig(id);
  const [tab, setTab] = useState<Tab>('edit');
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({
    edit: null,
    review: null,
    history: null,
  });
  // Analysis follows typing without holding it up.
  const deferred = useDeferredValue(state.draft);
  const neighbours = state.data?.neighbours;
  const findings = useMemo(
    () => analyseDraft(state.hosts, deferred, neighbours),
    [state.hosts, deferred, neighbours],
  );

  const name = cluster?.name ?? id;
  const onTabKey = (e: KeyboardEvent): void => {
    const at = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(at + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(at + TABS.length - 1) % TABS.length]
          : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  let body;
  if (state.error && !state.data)
    body = <ErrorState message={state.error} onRetry={state.reload} />;
  else if (!state.data) body = <Loading text={t.config.loading} />;
  else if (state.hosts.length === 0) body = <Empty>{t.config.noHosts}</Empty>;
  else
    body = (
      <>
        <div
          className="cfg-tabs"
          role="tablist"
          aria-label={t.config.tabs.label}
          onKeyDown={onTabKey}
        >
          {TABS.map((k) => (
            <button
              key={k}
              ref={(el) => {
                tabRefs.current[k] = el;
              }}
              type="button"
              role="tab"
              id={`cfg-tab-${k}`}
              aria-controls={`cfg-panel-${k}`}
              aria-selected={tab === k}
              tabIndex={tab === k ? 0 : -1}
              data-testid={`tab-${k}`}
              onClick={() => setTab(k)}
            >
              {t.config.tabs[k]}
            </button>
          ))}
        </div>
        {state.push && <PushProgress push={state.push} />}
        <div role="tabpanel" id={`cfg-panel-${tab}`} aria-labelledby={`cfg-tab-${tab}`}>
          {tab === 'edit' && (
            <EditTab
              hosts={state.hosts}
              liveHosts={state.data.hosts}
              draft={state.draft}
              setDraft={state.setDraft}
              findings={findings}
              readOnly={!canPush}
            />
          )}
          {tab === 'review' && (
            <ReviewTab
              clusterId={id}
              hosts={state.hosts}
              draft={state.draft}
              findings={findings}
              canPush={canPush}
              push={state.push}
              runningElsewhere={state.data.runningPushId !== undefined}
              watch={state.watch}
              reload={state.reload}
            />
          )}
          {tab === 'history' && (
            <HistoryTab
              clusterId={id}
              currentId={state.data.currentChangesetId}
              canPush={canPush}
              push={state.push}
              watch={state.watch}
            />
          )}
        </div>
      </>
    );

  const drifted = state.data?.hosts.flatMap((h) =>
    h.files.filter((f) => f.drift.state === 'drifted').map((f) => ({ host: h.host, file: f })),
  );
  return (
    <div className="config-page" data-testid="config-page">
      <nav className="crumbs" aria-label={t.cluster.crumbs}>
        <Link href="/">{t.shell.nav.overview}</Link> /{' '}
        <Link href={`/clusters/${encodeURIComponent(id)}`}>{name}</Link> /{' '}
        <span>{t.config.link}</span>
      </nav>
      <div className="page-head cfg-head">
        <h1>{t.config.title(name)}</h1>
        {state.data && (
          <button type="button" className="ghost small" onClick={state.reload}>
            {t.config.push.reload}
          </button>
        )}
      </div>
      {!canPush && (
        <p className="muted small" data-testid="read-only-note">
          {t.config.readOnly}
        </p>
      )}
      {state.error && state.data && <ErrorState message={state.error} onRetry={state.reload} />}
      {drifted && drifted.length > 0 && (
        <div className="cfg-drift" role="status" data-testid="drift-banner">
          <p>{t.config.drift.banner}</p>
          <ul>
            {drifted.map((d) => (
              <li key={`${d.host}/${d.file.component}`} className="small">
                {t.config.drift.file(d.host, d.file.path, t.config.drift.state.drifted)} ·{' '}
                {t.config.observedAt(fmt.dateTime(d.file.observedAt))}
              </li>
            ))}
          </ul>
        </div>
      )}
      {body}
    </div>
  );
}
