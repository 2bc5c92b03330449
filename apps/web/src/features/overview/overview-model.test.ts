import { describe, expect, it } from 'vitest';
import { VERDICT_ORDER, buildRows, filterRows } from './overview-model';
import { worstCase } from './overview-fixtures';

/* The overview's model on its worst case (500 clusters, 1,000 hosts, none healthy). */
describe('overview model, 500 clusters none healthy', () => {
  const { clusters, alerts } = worstCase(500);
  const rows = buildRows(clusters, alerts);

  it('has one row per cluster with its hosts online, open alerts and last failover', () => {
    expect(rows).toHaveLength(500);
    const r = rows[3]!;
    expect(r.total).toBe(2);
    expect(r.online).toBe(2);
    expect(r.alerts).toBe(2);
    expect(r.lastFailover).toBe(clusters[3]!.nodes[0]!.vrrp[0]!.since);
  });

  it('sorts worst first, then by name', () => {
    const shown = filterRows(rows, '', 'all');
    const ranks = shown.map((r) => VERDICT_ORDER[r.cluster.verdict]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(shown[0]!.cluster.verdict).toBe('down');
    const downs = shown.filter((r) => r.cluster.verdict === 'down').map((r) => r.cluster.name);
    expect(downs).toEqual([...downs].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('finds a cluster by a host name, a VIP, or words of its name', () => {
    expect(filterRows(rows, 'shop-00042-lb2', 'all').map((r) => r.cluster.id)).toEqual([
      'shop-00042',
    ]);
    expect(filterRows(rows, '10.1.44.2', 'all').map((r) => r.cluster.id)).toEqual(['shop-00300']);
    // 497 is at risk, 490 unknown: worst first.
    expect(filterRows(rows, '华东 shop-0049', 'all').map((r) => r.cluster.id)).toEqual([
      'shop-00497',
      'shop-00490',
    ]);
  });

  it('filters by status: problems is all of them, a verdict is its quarter', () => {
    expect(filterRows(rows, '', 'problems')).toHaveLength(500);
    expect(filterRows(rows, '', 'healthy')).toHaveLength(0);
    expect(filterRows(rows, '', 'at_risk')).toHaveLength(125);
  });
});
