import type { Verdict } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';

/** The verdict as a coloured word, the same everywhere (overview rows, cluster header). */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { t } = useI18n();
  return (
    <span className={`verdict-badge verdict-badge-${verdict}`} data-verdict={verdict}>
      {t.verdict[verdict]}
    </span>
  );
}
