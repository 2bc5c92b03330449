import type { Finding, Verdict } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { sortFindings } from './topology-model';

interface VerdictBannerProps {
  clusterId: string;
  clusterName: string;
  verdict: Verdict;
  findings: readonly Finding[];
}

/** The one-line answer first ("Healthy" / "At risk"), then why, most severe first. */
export function VerdictBanner({ clusterId, clusterName, verdict, findings }: VerdictBannerProps) {
  const { t, fmt } = useI18n();
  const sorted = sortFindings(findings);
  return (
    <section
      className={`verdict verdict-${verdict}`}
      data-testid={`verdict-${clusterId}`}
      data-verdict={verdict}
      aria-live="polite"
    >
      <div className="verdict-head">
        <h1 className="verdict-cluster">{clusterName}</h1>
        <span className="verdict-word">{t.verdict[verdict]}</span>
        <span className="verdict-hint">{t.verdictHint[verdict]}</span>
      </div>
      {sorted.length === 0 ? (
        <p className="findings-empty muted">{t.noFindings}</p>
      ) : (
        <ul className="findings">
          {sorted.map((f, i) => (
            <li key={`${f.rule}-${i}`} className={`finding finding-${f.severity}`}>
              <span className="finding-sev">{t.severity[f.severity]}</span>
              <span className="finding-msg">
                {fmt.finding(f)}
                <span className="finding-meta mono">
                  {f.rule}
                  {f.vip ? ` · ${f.vip}` : ''}
                  {f.nodes?.length ? ` · ${f.nodes.join(', ')}` : ''}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
