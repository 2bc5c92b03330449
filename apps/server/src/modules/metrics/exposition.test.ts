import { describe, expect, it } from 'vitest';
import type { StatusCluster } from '@keepwatch/shared';
import { escapeLabelValue, renderExposition } from './exposition';
import { collectMetrics } from './metrics-collect';

describe('Prometheus exposition', () => {
  it('escapes backslash, quote and newline in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderExposition([
      {
        name: 'm',
        help: 'line\nbreak \\ "q"',
        type: 'gauge',
        samples: [
          { labels: { l: 'x"y' }, value: 1 },
          { labels: {}, value: NaN },
        ],
      },
    ]);
    expect(text).toBe('# HELP m line\\nbreak \\\\ "q"\n# TYPE m gauge\nm{l="x\\"y"} 1\nm NaN\n');
  });

  it('maps status to keepalived exporter names and keepwatch gauges', () => {
    const cluster: StatusCluster = {
      id: 'lab',
      name: 'Lab',
      verdict: 'at_risk',
      findings: [],
      vips: [{ address: '10.0.0.50', instance: 'VI_1', holders: ['lb1', 'lb2'], masters: ['lb1'] }],
      nodes: [
        {
          name: 'lb1',
          role: 'lb',
          online: true,
          vrrp: [
            { instance: 'VI_1', state: 'MASTER', priority: 100, effectivePriority: 100, vrid: 51 },
          ],
          vipsHeld: ['10.0.0.50'],
          services: { nginx: { healthy: false }, keepalived: { healthy: true } },
          clockOffsetMs: -1500,
        },
        {
          name: 'lb2',
          role: 'lb',
          online: false,
          vrrp: [],
          vipsHeld: [],
          services: {},
          clockOffsetMs: null,
        },
      ],
    };
    const text = renderExposition(
      collectMetrics({
        clusters: [cluster],
        interfaceOf: () => 'eth0',
        alertsFiring: [{ cluster: 'lab', rule: 'SPLIT_BRAIN', severity: 'critical' }],
        ingestMessages: 7,
      }),
    );
    const lines = text.split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'keepalived_vrrp_state{cluster="lab",node="lb1",iname="VI_1",intf="eth0",vrid="51",ip_address="10.0.0.50"} 2',
        'keepalived_up{cluster="lab",node="lb1"} 1',
        'keepwatch_agent_up{cluster="lab",node="lb2"} 0',
        'keepwatch_vip_holders{cluster="lab",vip="10.0.0.50"} 2',
        'keepwatch_cluster_verdict{cluster="lab",verdict="at_risk"} 1',
        'keepwatch_cluster_verdict{cluster="lab",verdict="healthy"} 0',
        'keepwatch_service_up{cluster="lab",node="lb1",service="nginx"} 0',
        'keepwatch_clock_offset_seconds{cluster="lab",node="lb1"} -1.5',
        'keepwatch_alerts_firing{cluster="lab",rule="SPLIT_BRAIN",severity="critical"} 1',
        'keepwatch_ingest_messages_total 7',
      ]),
    );
    expect(text).not.toContain('node="lb2",iname');
  });
});
