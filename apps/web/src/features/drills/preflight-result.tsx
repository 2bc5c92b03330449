import type { DrillPreflight } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';

/** The preflight's verdict and every check with its host, in the reader's language. */
export function PreflightResult({
  preflight,
  error,
  checking,
  onRecheck,
}: {
  preflight: DrillPreflight | null;
  error: string | null;
  checking: boolean;
  onRecheck: () => void;
}) {
  const { t, lang } = useI18n();
  const state = checking ? 'checking' : error ? 'error' : preflight?.ok ? 'ok' : 'refused';
  return (
    <section
      className={`preflight preflight-${state}`}
      aria-labelledby="preflight-title"
      aria-live="polite"
      aria-busy={checking}
      data-testid="drill-preflight"
      data-state={state}
    >
      <div className="preflight-head">
        <h3 id="preflight-title">{t.drills.preflight}</h3>
        <button type="button" className="ghost small" onClick={onRecheck} disabled={checking}>
          {t.drills.recheck}
        </button>
      </div>
      {checking && (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" />
          {t.drills.preflightChecking}
        </p>
      )}
      {!checking && error && (
        <p className="text-bad" role="alert">
          {t.drills.preflightFailed(error)}
        </p>
      )}
      {!checking && preflight && (
        <>
          <p className={preflight.ok ? 'text-ok' : 'text-bad'}>
            {preflight.ok ? t.drills.preflightOk : t.drills.preflightRefused}
          </p>
          <ul className="checks">
            {preflight.checks.map((c) => (
              <li key={`${c.id}-${c.node ?? ''}`} className={c.ok ? 'check-ok' : 'check-bad'}>
                <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span>{' '}
                <span className="sr-only">
                  {c.ok ? t.drills.criterionOk : t.drills.criterionNotOk}
                </span>
                {c.node && !c.text[lang].includes(c.node) && <b className="mono">{c.node}: </b>}
                {c.text[lang]}
              </li>
            ))}
          </ul>
          <p className="muted small" data-testid="drill-plan">
            {t.drills.plan(
              preflight.plan.vip ?? t.drills.none,
              preflight.plan.master ?? t.drills.none,
              preflight.plan.targets.join(', ') || t.drills.none,
              preflight.plan.probeFrom,
              preflight.plan.holdMs / 1000,
            )}
          </p>
        </>
      )}
    </section>
  );
}
