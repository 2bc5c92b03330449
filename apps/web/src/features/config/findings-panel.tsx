import type { ConfigFinding, FindingLocation } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';

/** The draft's findings, worst first, each with its fix and links to the lines it blames. */
export function FindingsPanel(props: {
  findings: readonly ConfigFinding[];
  onReveal: (at: FindingLocation) => void;
}) {
  const { t, lang } = useI18n();
  const f = t.config.findings;
  return (
    <section className="cfg-findings" aria-labelledby="cfg-findings-title" aria-live="polite">
      <h2 id="cfg-findings-title">
        {f.title} <span className="muted small">({props.findings.length})</span>
      </h2>
      {props.findings.length === 0 ? (
        <p className="muted" data-testid="findings-none">
          {f.none}
        </p>
      ) : (
        <ul className="findings" data-testid="draft-findings">
          {props.findings.map((x, i) => (
            <li
              key={`${x.id}-${i}`}
              className={`finding finding-${x.severity}`}
              data-finding={x.id}
              data-severity={x.severity}
            >
              <span className="finding-sev">{f.severity[x.severity] ?? x.severity}</span>
              <span className="finding-msg">
                <strong className="mono">{x.id}</strong> {x.message[lang]}
                <span className="finding-fix">
                  {f.fix} {x.fix[lang]}
                </span>
                {x.at.length > 0 && (
                  <span className="finding-meta">
                    {x.at.map((a, j) => (
                      <button
                        key={j}
                        type="button"
                        className="link-button mono small"
                        onClick={() => props.onReveal(a)}
                      >
                        {f.where(a.node, a.file ?? a.component, a.line ? `:${a.line}` : '')}
                      </button>
                    ))}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
