import { useEffect, useState } from 'react';
import type { AvailabilityResponse } from '@keepwatch/shared';
import { ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration } from '../../lib/format-duration';

const REFRESH_MS = 60_000;

const percent = (v: number): string => `${(Math.floor(v * 100_000) / 1000).toFixed(3)}%`;

/** Each VIP's availability over 24 h / 7 d / 30 d, computed by the server from stored history. */
export function AvailabilityPanel({ clusterId }: { clusterId: string }) {
  const { t } = useI18n();
  const { api } = useServices();
  const [data, setData] = useState<AvailabilityResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let gone = false;
    const load = (): void => {
      api.availability(clusterId).then(
        (r) => !gone && (setData(r), setError(null)),
        (err: unknown) => !gone && setError((err as Error).message),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      gone = true;
      clearInterval(timer);
    };
  }, [api, clusterId, attempt]);
  const w = t.truth;
  const dur = (ms: number): string => formatDuration(ms, t.durationUnits);
  const ranges = data?.vips[0]?.windows.map((x) => x.range) ?? ['24h', '7d', '30d'];
  return (
    <section
      className="availability"
      aria-labelledby="avail-title"
      data-testid="availability-panel"
    >
      <h3 id="avail-title">{w.availabilityTitle}</h3>
      <p className="muted small">{w.availabilityNote}</p>
      {error && <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />}
      {!data && !error && <Loading />}
      {data && (
        <table className="kw-table">
          <thead>
            <tr>
              <th scope="col">{w.colVip}</th>
              {ranges.map((r) => (
                <th scope="col" key={r}>
                  {w.ranges[r] ?? r}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.vips.map((v) => (
              <tr key={v.address} data-testid={`availability-${v.address}`}>
                <th scope="row" className="mono">
                  {v.address} <span className="muted small">{v.instance}</span>
                </th>
                {v.windows.map((x) => (
                  <td key={x.range} data-range={x.range}>
                    {x.availability === null ? (
                      <span className="muted">{w.noData}</span>
                    ) : (
                      <>
                        <strong className={x.downMs === 0 ? 'text-ok' : 'text-bad'}>
                          {percent(x.availability)}
                        </strong>
                        <div className="muted small">
                          {w.known(dur(x.knownMs))}
                          {x.downMs > 0 && ` · ${w.downFor(dur(x.downMs))}`}
                          {x.splitMs > 0 && ` · ${w.splitFor(dur(x.splitMs))}`}
                        </div>
                      </>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
