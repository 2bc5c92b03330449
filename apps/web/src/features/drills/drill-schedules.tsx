import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { DRILL_KINDS, type DrillKind, type DrillSchedule } from '@keepwatch/shared';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useCan } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { useLoad } from '../settings/use-load';
import { word } from './drills-i18n';
import {
  browserZone,
  checkSchedule,
  describeDays,
  knownZones,
  weekdayNames,
  type ScheduleProblem,
} from './schedule-model';

/**
 * A cluster's drill schedules: cron + time zone + the window a run must start inside. Each
 * shows its next run (the server computes it, window included) and its last result.
 * Operators create and delete; viewers only read.
 */
export function DrillSchedules({ clusterId }: { clusterId: string }) {
  const { api } = useServices();
  const { t, fmt, lang } = useI18n();
  const canEdit = useCan('operator');
  const { value, error, reload } = useLoad(
    useCallback(
      () => api.drillSchedules().then((r) => r.schedules.filter((s) => s.clusterId === clusterId)),
      [api, clusterId],
    ),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const remove = (s: DrillSchedule): void => {
    if (!window.confirm(t.drills.confirmDelete(s.cron))) return;
    api
      .deleteDrillSchedule(s.id)
      .then(reload, (err: unknown) => setProblem(t.drills.failed((err as Error).message)));
  };
  return (
    <section aria-labelledby="schedules-title" className="drill-section">
      <h2 id="schedules-title">{t.drills.schedulesTitle}</h2>
      <p className="muted small">{t.drills.schedulesHelp}</p>
      {canEdit && <ScheduleForm clusterId={clusterId} onCreated={reload} />}
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {error && <ErrorState message={error} onRetry={reload} />}
      {value === null ? (
        !error && <Loading />
      ) : value.length === 0 ? (
        <Empty>{t.drills.schedulesEmpty}</Empty>
      ) : (
        <table className="kw-table" data-testid="drill-schedules">
          <thead>
            <tr>
              <th>{t.drills.colKind}</th>
              <th>{t.drills.cron}</th>
              <th>{t.drills.windowCol}</th>
              <th>
                {t.drills.nextRun} <span className="muted">({fmt.zone})</span>
              </th>
              <th>{t.drills.lastRun}</th>
              {canEdit && <th />}
            </tr>
          </thead>
          <tbody>
            {value.map((s) => (
              <tr key={s.id} data-testid={`schedule-${s.id}`}>
                <td>
                  {t.drills.kinds[s.kind]}
                  {!s.enabled && <span className="muted small"> ({t.drills.disabled})</span>}
                </td>
                <td className="mono">{s.cron}</td>
                <td className="small">
                  {t.drills.window(s.window.start, s.window.end, s.timezone)}
                  {describeDays(s.window.days, lang) && <> · {describeDays(s.window.days, lang)}</>}
                </td>
                <td className="small nowrap">
                  {s.nextRunAt === null ? t.drills.noNextRun : fmt.dateTime(s.nextRunAt)}
                </td>
                <td className="small">
                  {s.lastRunAt === null ? (
                    t.drills.never
                  ) : (
                    <>
                      {fmt.dateTime(s.lastRunAt)}{' '}
                      {s.lastDrillId && (
                        <Link href={`/drills/${encodeURIComponent(s.lastDrillId)}`}>
                          {s.lastResult === null
                            ? t.drills.open
                            : word(t.drills.status, s.lastResult)}
                        </Link>
                      )}
                    </>
                  )}
                </td>
                {canEdit && (
                  <td>
                    <button type="button" className="ghost danger" onClick={() => remove(s)}>
                      {t.drills.delete}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ScheduleForm({ clusterId, onCreated }: { clusterId: string; onCreated: () => void }) {
  const { api } = useServices();
  const { t, lang } = useI18n();
  const zones = useMemo(() => knownZones(), []);
  const [kind, setKind] = useState<DrillKind>('nginx-outage');
  const [cron, setCron] = useState('0 3 * * 1');
  const [timezone, setTimezone] = useState(() => {
    const z = browserZone();
    return zones.includes(z) ? z : 'UTC';
  });
  const [start, setStart] = useState('02:00');
  const [end, setEnd] = useState('05:00');
  const [days, setDays] = useState<number[]>([]);
  const [problems, setProblems] = useState<ScheduleProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const names = weekdayNames(lang);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const check = checkSchedule({ clusterId, kind, cron, timezone, start, end, days }, zones);
    if (!check.ok) return setProblems(check.problems);
    setProblems([]);
    setBusy(true);
    setError(null);
    api.createDrillSchedule(check.body).then(
      () => {
        setBusy(false);
        onCreated();
      },
      (err: unknown) => {
        setBusy(false);
        setError(t.drills.failed((err as Error).message));
      },
    );
  };
  const bad = (p: ScheduleProblem): boolean => problems.includes(p);
  return (
    <form className="schedule-form" onSubmit={submit} data-testid="schedule-form" noValidate>
      <label>
        {t.drills.kind}
        <select value={kind} onChange={(e) => setKind(e.target.value as DrillKind)}>
          {DRILL_KINDS.map((k) => (
            <option key={k} value={k}>
              {t.drills.kinds[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.drills.cron}
        <input
          className="mono"
          name="cron"
          value={cron}
          onChange={(e) => setCron(e.target.value)}
          aria-invalid={bad('cron')}
          aria-describedby="cron-help"
        />
        <span id="cron-help" className="muted small">
          {bad('cron') ? (
            <span className="text-bad">{t.drills.invalid.cron}</span>
          ) : (
            t.drills.cronHelp
          )}
        </span>
      </label>
      <label>
        {t.drills.timeZone}
        <select
          name="timezone"
          value={timezone}
          onChange={(e) => setTimezone(e.target.value)}
          aria-invalid={bad('zone')}
        >
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        {bad('zone') && <span className="text-bad small">{t.drills.invalid.zone}</span>}
      </label>
      <fieldset className="schedule-window" aria-invalid={bad('window')}>
        <legend>{t.drills.windowCol}</legend>
        <label>
          {t.drills.windowStart}
          <input
            type="time"
            name="start"
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
        </label>
        <label>
          {t.drills.windowEnd}
          <input type="time" name="end" value={end} onChange={(e) => setEnd(e.target.value)} />
        </label>
        <span className="muted small">
          {bad('window') ? (
            <span className="text-bad">{t.drills.invalid.window}</span>
          ) : (
            t.drills.windowHelp
          )}
        </span>
        <div className="schedule-days" role="group" aria-label={t.drills.days}>
          {names.map((n, d) => (
            <label key={d} className="day">
              <input
                type="checkbox"
                checked={days.includes(d)}
                onChange={(e) =>
                  setDays(e.target.checked ? [...days, d] : days.filter((x) => x !== d))
                }
              />
              {n}
            </label>
          ))}
          <span className="muted small">{t.drills.daysHelp}</span>
        </div>
      </fieldset>
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t.drills.creating : t.drills.create}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
