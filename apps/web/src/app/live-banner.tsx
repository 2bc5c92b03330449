import { useI18n } from '../i18n/i18n-context';
import { formatDuration } from '../lib/format-duration';
import { useNow } from '../lib/use-now';
import { useLive } from './use-app';

/**
 * A banner across every page while the live feed is down: what is on screen may be stale.
 * The client reconnects by itself (backoff, and at once when the browser comes back online).
 */
export function LiveBanner() {
  const { t } = useI18n();
  const { connection, everLive, lostAt } = useLive();
  const now = useNow(1000);
  if (connection === 'live') return null;
  if (!everLive)
    return (
      <div className="live-banner live-banner-connecting" role="status" data-testid="live-banner">
        {t.shell.bannerConnecting}
      </div>
    );
  return (
    <div
      className="live-banner live-banner-lost"
      role="alert"
      data-testid="live-banner"
      data-state={connection}
    >
      {t.shell.bannerLost(formatDuration(now - (lostAt ?? now), t.durationUnits))}
    </div>
  );
}
