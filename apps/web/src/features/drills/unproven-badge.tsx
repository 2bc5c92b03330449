import type { DrillProof } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';

const DAY_MS = 86_400_000;

/**
 * The overview's flag for a pair whose failover no drill has proven within the stale age
 * (KEEPWATCH_DRILL_STALE_DAYS, default 30): nothing while the proof is fresh or not known yet.
 */
export function UnprovenBadge({ clusterId, proof }: { clusterId: string; proof?: DrillProof }) {
  const { t, fmt } = useI18n();
  if (!proof?.stale) return null;
  return (
    <span
      className="badge badge-small badge-unproven"
      data-testid={`overview-unproven-${clusterId}`}
      title={t.drills.notProvenTitle(
        Math.round(proof.staleAfterMs / DAY_MS),
        proof.lastProvenAt === null ? null : fmt.dateTime(proof.lastProvenAt),
      )}
    >
      {t.drills.notProvenBadge}
    </span>
  );
}
