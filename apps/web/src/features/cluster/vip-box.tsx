import type { StatusVip } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { mastersIfDifferent, sortedHolders, vipAnchor, vipCondition } from './topology-model';

export function VipBox({ vip }: { vip: StatusVip }) {
  const { t } = useI18n();
  const holders = sortedHolders(vip);
  const condition = vipCondition(vip);
  const masters = mastersIfDifferent(vip);
  return (
    <div
      className={`vip vip-${condition}`}
      data-testid={`vip-${vip.address}`}
      data-holders={holders.join(',')}
      data-anchor={vipAnchor(vip.address)}
    >
      <div className="vip-head">
        <span className="vip-label">{t.vip}</span>
        <span className="vip-address mono">{vip.address}</span>
        <span className="vip-instance mono muted">{vip.instance}</span>
      </div>
      <div className="vip-holders">
        {condition === 'none' && <strong>{t.vipNoHolder}</strong>}
        {condition === 'held' && t.vipHeldBy(holders.join(', '))}
        {condition === 'split' && (
          <strong role="alert">{t.vipSplitBrain(holders.join(' + '))}</strong>
        )}
      </div>
      {masters && (
        <div className="vip-masters muted">{t.vipMastersDiffer(masters.join(', ') || '—')}</div>
      )}
    </div>
  );
}
