import type { PushView } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { hostError, rolloutRows } from './push-model';

/** A push (or dry run) host by host in rollout order, live, with the exact error of a failed step. */
export function PushProgress({ push }: { push: PushView }) {
  const { t, fmt } = useI18n();
  const p = t.config.progress;
  return (
    <section
      className={`push-progress push-${push.status}`}
      aria-labelledby="push-progress-title"
      data-testid="push-progress"
      data-push={push.id}
      data-status={push.status}
      data-dry-run={push.dryRun}
    >
      <header className="push-head">
        <h2 id="push-progress-title">
          {p.title(push.dryRun)} <span className="mono small">{push.id}</span>
        </h2>
        <span
          className={`badge push-state push-state-${push.status}`}
          role="status"
          aria-live="polite"
        >
          {p.state[push.status]}
        </span>
      </header>
      <p className="muted small">
        “{push.message}” · {p.by(push.author, fmt.dateTime(push.createdAt))}
      </p>
      {push.summary && (
        <p className="push-summary" data-testid="push-summary">
          {push.summary}
        </p>
      )}
      <ol className="push-hosts">
        {rolloutRows(push).map((h) => {
          const error = hostError(h);
          return (
            <li
              key={h.host}
              className={`push-host push-host-${h.status}`}
              data-testid={`push-host-${h.host}`}
              data-status={h.status}
            >
              <div className="push-host-head">
                <span className="muted small">{p.order(h.order + 1)}</span>
                <strong>{h.host}</strong>
                <span className="small">{t.config.role[h.role]}</span>
                <span className="small mono">{h.components.join(' + ')}</span>
                <span className={`badge push-host-state push-host-state-${h.status}`}>
                  {p.host[h.status]}
                </span>
              </div>
              {error && (
                <div className="push-error" role="alert">
                  <span className="small">{p.error}</span>
                  <pre className="mono" data-testid={`push-error-${h.host}`}>
                    {error}
                  </pre>
                </div>
              )}
              {h.steps.length > 0 && (
                <details open={h.status === 'failed' || h.status === 'rolled_back'}>
                  <summary className="small">
                    {p.steps} ({h.steps.length})
                  </summary>
                  <ol className="push-steps small">
                    {h.steps.map((s, i) => (
                      <li key={i} className={s.ok ? 'step-ok' : 'step-failed'}>
                        <span className="mono">{fmt.time(s.at)}</span> {s.step} —{' '}
                        {s.ok ? p.stepOk : p.stepFailed}
                        {s.detail && <pre className="mono step-detail">{s.detail}</pre>}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
