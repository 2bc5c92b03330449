import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import {
  DRILL_KINDS,
  DRILL_KIND_INFO,
  type DrillKind,
  type DrillOptions,
  type DrillPreflight,
  type StatusCluster,
} from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { PreflightResult } from './preflight-result';
import { dialogOptions, type DialogChoice } from './dialog-model';

/**
 * "Run a drill": the kind, its hypothesis and criteria, the options, and the preflight
 * result, shown before the confirm (which stays disabled until the preflight says yes). A
 * native modal <dialog>: focus moves into it, Esc closes it, the page behind is inert.
 */
export function DrillDialog({ cluster, onClose }: { cluster: StatusCluster; onClose: () => void }) {
  const { api } = useServices();
  const { t, lang } = useI18n();
  const [, navigate] = useLocation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [choice, setChoice] = useState<DialogChoice>({
    kind: 'nginx-outage',
    holdSeconds: DRILL_KIND_INFO['nginx-outage'].defaultHoldMs / 1000,
    target: '',
    probeFrom: '',
  });
  const [checked, setChecked] = useState<{
    key: string;
    preflight: DrillPreflight | null;
    error: string | null;
  } | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [recheck, setRecheck] = useState(0);
  const info = DRILL_KIND_INFO[choice.kind];
  const { options, targets, probeHosts } = dialogOptions(cluster, choice);

  useEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
  }, []);

  // The preflight follows every change of kind or options (debounced: typing a number). What
  // it answered counts only for the request it answered: anything else reads as "checking".
  const optionsKey = JSON.stringify(options);
  const requestKey = `${choice.kind}|${optionsKey}|${recheck}`;
  const checking = checked?.key !== requestKey;
  const preflight = checking ? null : (checked?.preflight ?? null);
  const preflightError = checking ? null : (checked?.error ?? null);
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      const [kind, opts] = [
        requestKey.split('|')[0] as DrillKind,
        JSON.parse(optionsKey) as DrillOptions,
      ];
      api.drillPreflight({ clusterId: cluster.id, kind, options: opts }).then(
        (p) => !cancelled && setChecked({ key: requestKey, preflight: p, error: null }),
        (err: unknown) =>
          !cancelled &&
          setChecked({ key: requestKey, preflight: null, error: (err as Error).message }),
      );
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, cluster.id, requestKey, optionsKey]);

  const start = (e: FormEvent): void => {
    e.preventDefault();
    setStarting(true);
    setStartError(null);
    api.startDrill({ clusterId: cluster.id, kind: choice.kind, options }).then(
      ({ id }) => {
        ref.current?.close();
        navigate(`/drills/${encodeURIComponent(id)}`);
      },
      (err: unknown) => {
        setStarting(false);
        setStartError(t.drills.startFailed((err as Error).message));
        setRecheck((n) => n + 1);
      },
    );
  };
  const pick = (kind: DrillKind): void =>
    setChoice({
      kind,
      holdSeconds: DRILL_KIND_INFO[kind].defaultHoldMs / 1000,
      target: '',
      probeFrom: choice.probeFrom,
    });
  const ready = preflight?.ok === true && !checking && !starting;

  return (
    <dialog
      ref={ref}
      className="drill-dialog"
      aria-labelledby={titleId}
      data-testid="drill-dialog"
      onClose={onClose}
    >
      <form onSubmit={start} className="drill-form">
        <h2 id={titleId}>{t.drills.dialogTitle(cluster.name)}</h2>
        <div className="drill-form-grid">
          <label>
            {t.drills.kind}
            <select
              data-testid="drill-kind"
              value={choice.kind}
              onChange={(e) => pick(e.target.value as DrillKind)}
            >
              {DRILL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t.drills.kinds[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.drills.holdSeconds}
            <input
              type="number"
              min={2}
              max={120}
              value={choice.holdSeconds}
              onChange={(e) => setChoice({ ...choice, holdSeconds: Number(e.target.value) })}
            />
          </label>
          <label>
            {t.drills.faultOn}
            <select
              value={choice.target}
              onChange={(e) => setChoice({ ...choice, target: e.target.value })}
            >
              <option value="">{t.drills.targets[info.target] ?? info.target}</option>
              {targets.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.drills.probeOn}
            <select
              value={choice.probeFrom}
              onChange={(e) => setChoice({ ...choice, probeFrom: e.target.value })}
            >
              <option value="">{t.drills.probeServer}</option>
              {probeHosts.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </div>
        <section className="drill-hypothesis" aria-label={t.drills.hypothesis}>
          <h3>{t.drills.hypothesis}</h3>
          <p data-testid="drill-hypothesis">{info.hypothesis[lang]}</p>
          <h3>{t.drills.criteria}</h3>
          <ul>
            {info.criteria.map((c) => (
              <li key={c.id}>{c.text[lang]}</li>
            ))}
          </ul>
        </section>
        <PreflightResult
          preflight={preflight}
          error={preflightError}
          checking={checking}
          onRecheck={() => setRecheck((n) => n + 1)}
        />
        <p className="drill-warning small">{t.drills.warning(choice.holdSeconds)}</p>
        {startError && (
          <p className="form-error" role="alert">
            {startError}
          </p>
        )}
        <div className="drill-actions">
          <button type="button" className="ghost" onClick={() => ref.current?.close()}>
            {t.drills.cancel}
          </button>
          <button type="submit" className="primary" disabled={!ready} data-testid="drill-confirm">
            {starting ? t.drills.starting : t.drills.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
