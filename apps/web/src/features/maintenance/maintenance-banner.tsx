import './maintenance.css';
import type { MaintenanceWindow } from '@keepwatch/shared';
import { useState } from 'react';
import { useServices } from '../../app/services';
import { useCan } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';

const UPCOMING_SLACK_MS = 5_000;

/**
 * "In maintenance until …: alerts are held", one line per window that concerns the page
 * (open or upcoming), with "End now" for operators.
 */
export function MaintenanceBanner({
  windows,
  now,
}: {
  windows: readonly MaintenanceWindow[];
  now: number;
}) {
  const { t, fmt } = useI18n();
  const { api } = useServices();
  const canEnd = useCan('operator');
  const [error, setError] = useState<string | null>(null);
  if (windows.length === 0) return null;
  const end = (id: number): void => {
    api.endMaintenance(id).then(
      // The live feed sends the new list; nothing to re-read.
      () => setError(null),
      (err: unknown) => setError(t.maintenance.failed((err as Error).message)),
    );
  };
  return (
    <div className="maintenance-banner" role="status" data-testid="maintenance-banner">
      {windows.map((w) => {
        const target = w.node ?? w.clusterId;
        const text =
          // The page's clock ticks once a second: a window started "now" is open, not upcoming.
          w.startsAt > now + UPCOMING_SLACK_MS
            ? t.maintenance.upcoming(target, fmt.dateTime(w.startsAt))
            : w.node === null
              ? t.maintenance.bannerCluster(fmt.dateTime(w.endsAt))
              : t.maintenance.bannerHost(w.node, fmt.dateTime(w.endsAt));
        return (
          <p key={w.id} data-window={w.id}>
            <span className="badge badge-small badge-maint">{t.maintenance.badge}</span> {text}{' '}
            <span className="muted small">{t.maintenance.by(w.createdBy, w.reason)}</span>
            {canEnd && (
              <button
                type="button"
                className="ghost small"
                data-testid={`maintenance-end-${w.id}`}
                onClick={() => end(w.id)}
              >
                {t.maintenance.end}
              </button>
            )}
          </p>
        );
      })}
      {error && <p className="form-error">{error}</p>}
    </div>
  );
}
