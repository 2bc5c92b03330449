import { lazy, Suspense, useMemo, useState } from 'react';
import type { ClusterModel, ConfigFinding, FindingLocation, HostConfig } from '@keepwatch/shared';
import { Loading, PageErrorBoundary } from '../../app/page-states';
import { useI18n } from '../../i18n/i18n-context';
import {
  diagnosticsFor,
  editableFiles,
  fileKey,
  type Draft,
  type FileKey,
  type LiveHost,
} from './config-draft';
import { FindingsPanel } from './findings-panel';
import { ModelForm } from './model-form';
import { applyModelChange, importFromLive, modelProblems, type ModelProblem } from './model-edit';

// CodeMirror is the heaviest part of the page: its own chunk, loaded when the tab shows.
const CodeEditor = lazy(() => import('./code-editor'));

export function EditTab(props: {
  hosts: readonly LiveHost[];
  liveHosts: readonly HostConfig[];
  draft: Draft;
  setDraft: (d: Draft) => void;
  findings: readonly ConfigFinding[];
  readOnly: boolean;
}) {
  const { t, lang } = useI18n();
  const files = useMemo(() => editableFiles(props.hosts), [props.hosts]);
  const [selected, setSelected] = useState<FileKey | null>(null);
  const [reveal, setReveal] = useState<{ line: number; seq: number } | null>(null);
  const current =
    files.find((f) => fileKey(f.host, f.file.component) === selected) ?? files[0] ?? null;
  const currentKey = current ? fileKey(current.host, current.file.component) : null;
  const text = currentKey ? (props.draft[currentKey] ?? '') : '';

  const diagnostics = useMemo(
    () =>
      current
        ? diagnosticsFor(
            props.findings,
            { host: current.host, component: current.file.component, path: current.file.path },
            text,
            lang,
          )
        : [],
    [props.findings, current, text, lang],
  );

  const onReveal = (at: FindingLocation): void => {
    const target = files.find(
      (f) =>
        f.host === at.node &&
        f.file.component === at.component &&
        (at.file === undefined || at.file === f.file.path),
    );
    if (!target) return;
    setSelected(fileKey(target.host, target.file.component));
    setReveal({ line: at.line ?? 1, seq: (reveal?.seq ?? 0) + 1 });
  };

  return (
    <div className="cfg-edit">
      <FormColumn {...props} />
      <div className="cfg-files">
        <p className="cfg-hosts small" data-testid="config-hosts">
          {props.liveHosts.map((h) => (
            <span key={h.host} className="cfg-host" data-role={h.role} data-online={h.online}>
              <strong>{h.host}</strong> {t.config.role[h.role]}
              {!h.online && <span className="badge badge-grey">{t.config.offline}</span>}
            </span>
          ))}
        </p>
        <div className="cfg-file-tabs" role="group" aria-label={t.config.files}>
          {files.map((f) => {
            const key = fileKey(f.host, f.file.component);
            const dirty = props.draft[key] !== f.file.content;
            const diags = diagnosticsFor(
              props.findings,
              { host: f.host, component: f.file.component, path: f.file.path },
              props.draft[key] ?? '',
              lang,
            );
            const count = diags.length;
            const worst = diags.some((d) => d.severity === 'error') ? 'badge-red' : 'badge-amber';
            const drift = props.liveHosts
              .find((h) => h.host === f.host)
              ?.files.find((x) => x.component === f.file.component)?.drift.state;
            return (
              <button
                key={key}
                type="button"
                className={`cfg-file-tab${key === currentKey ? ' selected' : ''}`}
                aria-pressed={key === currentKey}
                data-testid={`file-${f.host}-${f.file.component}`}
                data-dirty={dirty}
                onClick={() => setSelected(key)}
              >
                <span>
                  {f.host} · {f.file.component}
                </span>
                {dirty && <span className="badge badge-blue">{t.config.modified}</span>}
                {drift === 'drifted' && (
                  <span className="badge badge-amber">{t.config.drift.state.drifted}</span>
                )}
                {count > 0 && (
                  <span className={`badge ${worst}`}>{t.config.findingsIn(count)}</span>
                )}
              </button>
            );
          })}
        </div>
        {current && currentKey && (
          <>
            <div className="cfg-file-bar">
              <span className="mono small">
                {t.config.editor.label(current.host, current.file.path)}
              </span>
              {!props.readOnly && props.draft[currentKey] !== current.file.content && (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() =>
                    props.setDraft({ ...props.draft, [currentKey]: current.file.content })
                  }
                >
                  {t.config.editor.revert}
                </button>
              )}
            </div>
            <div className="cfg-editor">
              <PageErrorBoundary
                fallback={<p className="form-error">{t.config.editor.failed('chunk')}</p>}
              >
                <Suspense fallback={<Loading text={t.config.editor.loading} />}>
                  <CodeEditor
                    docKey={currentKey}
                    value={text}
                    onChange={(v) => props.setDraft({ ...props.draft, [currentKey]: v })}
                    component={current.file.component}
                    diagnostics={diagnostics}
                    readOnly={props.readOnly}
                    label={t.config.editor.label(current.host, current.file.path)}
                    reveal={reveal}
                  />
                </Suspense>
              </PageErrorBoundary>
            </div>
          </>
        )}
        <FindingsPanel findings={props.findings} onReveal={onReveal} />
      </div>
    </div>
  );
}

/** The form: the model imported from the draft; a valid change renders the files again. */
function FormColumn(props: {
  hosts: readonly LiveHost[];
  draft: Draft;
  setDraft: (d: Draft) => void;
  readOnly: boolean;
}) {
  const { t, lang } = useI18n();
  const f = t.config.form;
  const imported = useMemo(
    () => importFromLive(props.hosts, props.draft),
    [props.hosts, props.draft],
  );
  // An edit the schema refuses (e.g. priority 300) stays here, not rendered, with why.
  // It belongs to the draft it was made on: once the files change (editor, revert, reload)
  // the form shows them again.
  const [held, setPending] = useState<{
    model: ClusterModel;
    problems: ModelProblem[];
    draft: Draft;
  } | null>(null);
  const pending = held?.draft === props.draft ? held : null;
  const model = pending?.model ?? imported.model;
  const onChange = (m: ClusterModel): void => {
    const problems = modelProblems(m);
    if (problems.length > 0) return setPending({ model: m, problems, draft: props.draft });
    setPending(null);
    if (imported.model)
      props.setDraft(applyModelChange(imported.model, m, props.hosts, props.draft));
  };
  return (
    <aside className="cfg-form" aria-labelledby="cfg-form-title">
      <h2 id="cfg-form-title">{f.title}</h2>
      <p className="muted small">{f.hint}</p>
      {model ? (
        <ModelForm model={model} onChange={onChange} readOnly={props.readOnly} />
      ) : (
        <p className="muted">{f.noModel}</p>
      )}
      {pending && (
        <div className="form-error" role="alert" data-testid="model-problems">
          <p>{f.problems}</p>
          <ul>
            {pending.problems.map((p) => (
              <li key={p.path} className="mono small">
                {p.path}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {imported.notes.length > 0 && (
        <details className="cfg-notes">
          <summary>
            {f.notes} ({imported.notes.length})
          </summary>
          <ul>
            {imported.notes.map((n, i) => (
              <li key={i} className="small">
                <span className={`badge ${n.kept ? 'badge-grey' : 'badge-amber'}`}>
                  {n.kept ? f.noteKept : f.noteLost}
                </span>{' '}
                <span className="mono">
                  {n.node}
                  {n.line ? `:${n.line}` : ''}
                </span>{' '}
                {n.message[lang]}
              </li>
            ))}
          </ul>
        </details>
      )}
    </aside>
  );
}
