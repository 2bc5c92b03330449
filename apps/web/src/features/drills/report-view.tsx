import { useState } from 'react';
import type { Drill, DrillReport } from '@keepwatch/shared';
import { Loading } from '../../app/page-states';
import { LANGS, type Lang } from '../../i18n/dictionary';
import { useI18n } from '../../i18n/i18n-context';
import { reportHref } from './drills-api';
import { isFinal } from './drills-model';
import { figureRows, verdictOf } from './report-model';

/**
 * Where the report goes once the live feed says the drill ended: the feed's message comes
 * before the page has read the finished drill again (use-drill.ts), so until that read lands
 * the stored record still says running and its report is the one of a running drill; it is
 * not shown (no verdict of "running" under a finished page) until the final record is here.
 */
export function ReportSlot({ drill }: { drill: Drill }) {
  return isFinal(drill.status) ? <ReportView drill={drill} /> : <Loading />;
}

/**
 * The drill's report: pass or fail against the hypothesis with each criterion, findings,
 * the figures (downtime split into detection, takeover and convergence; requests; new
 * MASTER; fail-back; the theoretical bound), tuning advice with its expected effect, and the
 * export links (Markdown, HTML, in either language).
 */
export function ReportView({ drill }: { drill: Drill }) {
  const { t, lang } = useI18n();
  const report = drill.report;
  const verdict = verdictOf(drill.status);
  return (
    <section className="drill-report" aria-labelledby="report-title" data-testid="drill-report">
      <div className="report-head">
        <h2 id="report-title">{t.drills.reportTitle}</h2>
        <ExportLinks id={drill.id} />
      </div>
      <p
        className={`report-verdict verdict-${verdict}`}
        data-testid="drill-verdict"
        data-verdict={verdict}
      >
        {verdict === 'passed'
          ? t.drills.verdictPassed
          : verdict === 'failed'
            ? t.drills.verdictFailed
            : verdict === 'aborted'
              ? t.drills.verdictAborted
              : verdict === 'interrupted'
                ? t.drills.verdictInterrupted
                : t.drills.status.running}
      </p>
      {drill.error && <p className="text-bad">{drill.error}</p>}
      {report.criteria.length > 0 && (
        <ul className="checks" data-testid="drill-criteria">
          {report.criteria.map((c) => (
            <li key={c.id} className={c.ok ? 'check-ok' : 'check-bad'}>
              <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span>{' '}
              <span className="sr-only">
                {c.ok ? t.drills.criterionOk : t.drills.criterionNotOk}:{' '}
              </span>
              {c.text[lang]}
              {c.detail && <span className="muted small"> — {c.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      {report.findings.length > 0 && (
        <>
          <h3>{t.drills.findings}</h3>
          <ul className="findings">
            {report.findings.map((f, i) => (
              <li key={i} className={`finding finding-${f.severity}`}>
                <span className="finding-sev">{t.severity[f.severity]}</span>{' '}
                <span className="finding-msg">{f.text[lang]}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t.drills.figures}</h3>
      <Figures report={report} />
      <h3>{t.drills.advice}</h3>
      {report.advice.length === 0 ? (
        <p className="muted">{t.drills.noAdvice}</p>
      ) : (
        <ul className="drill-advice" data-testid="drill-advice">
          {report.advice.map((a) => (
            <li key={a.id}>
              <p>{a.text[lang]}</p>
              <p className="muted small">
                {t.drills.expected(a.effect[lang])}
                {a.expectedMs !== undefined && ` (≈ ${t.drills.ms(a.expectedMs)})`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Figures({ report }: { report: DrillReport }) {
  const { t, lang } = useI18n();
  const rows = figureRows(report, t.drills, lang);
  return (
    <table className="kw-table drill-figures" data-testid="drill-figures">
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-figure={r.key} className={r.sub ? 'figure-sub' : ''}>
            <th scope="row">{r.label}</th>
            <td className="mono">{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExportLinks({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const [exportLang, setExportLang] = useState<Lang>(lang);
  return (
    <div className="report-export" role="group" aria-label={t.drills.export}>
      <span className="muted small">{t.drills.export}</span>
      <select
        aria-label={t.drills.exportLang}
        data-testid="export-lang"
        value={exportLang}
        onChange={(e) => setExportLang(e.target.value as Lang)}
      >
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l === 'en' ? 'English' : '中文'}
          </option>
        ))}
      </select>
      <a
        className="ghost button-link"
        href={reportHref(id, 'md', exportLang)}
        download
        data-testid="export-md"
      >
        {t.drills.exportMd}
      </a>
      <a
        className="ghost button-link"
        href={reportHref(id, 'html', exportLang)}
        download
        data-testid="export-html"
      >
        {t.drills.exportHtml}
      </a>
    </div>
  );
}
