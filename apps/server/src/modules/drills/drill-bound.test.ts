import { describe, expect, it } from 'vitest';
import { parseKeepalivedConfig, type DrillKind } from '@keepwatch/shared';
import { advise, computeBound } from './drill-bound';
import { boundMargin } from './drill-evaluate';

/*
 * The theoretical bound from the live config and the advice that follows (SPEC.md BO-*,
 * AD-*), on the lab's default tutorial-style pair: VRRPv2, advert 1 s, MASTER 100, BACKUP
 * 90, chk_nginx every 1 s with fall 2.
 */

const KA = (prio: number, state: string, extra: { advert?: number; global?: string[] } = {}) =>
  parseKeepalivedConfig(
    [
      'global_defs {',
      ...(extra.global ?? ['  vrrp_version 2']),
      '}',
      'vrrp_script chk_nginx {',
      '  script "/bin/true"',
      '  interval 1',
      '  timeout 1',
      '  fall 2',
      '  weight -20',
      '}',
      'vrrp_instance VI_1 {',
      `  state ${state}`,
      '  interface eth0',
      '  virtual_router_id 51',
      `  priority ${prio}`,
      `  advert_int ${extra.advert ?? 1}`,
      '  virtual_ipaddress {',
      '    10.77.0.50/24',
      '  }',
      '  track_script {',
      '    chk_nginx',
      '  }',
      '}',
    ].join('\n'),
  );

const bound = (kind: DrillKind, advert = 1, global?: string[]) =>
  computeBound({
    kind,
    master: KA(100, 'MASTER', { advert, ...(global && { global }) }),
    backup: KA(90, 'BACKUP', { advert, ...(global && { global }) }),
    instance: 'VI_1',
    probeTimeoutMs: 200,
  });

describe('bound and advice (SPEC.md BO-*, AD-*)', () => {
  it('BO-1: skew and master-down from the BACKUP priority and advert; the check script', () => {
    expect(bound('nginx-outage')?.config).toMatchObject({
      vrrpVersion: 2,
      advertIntMs: 1000,
      backupPriority: 90,
      skewMs: 648,
      masterDownMs: 3648,
      checkScript: 'chk_nginx',
      checkIntervalMs: 1000,
      checkFall: 2,
    });
    expect(
      computeBound({
        kind: 'link-down',
        master: undefined,
        backup: undefined,
        instance: 'VI_1',
        probeTimeoutMs: 200,
      }),
    ).toBeNull();
  });

  it('BO-2: each failover kind has its range, the high end one probe timeout wider', () => {
    const range = (k: DrillKind) => [bound(k)?.lowMs, bound(k)?.highMs];
    expect(range('keepalived-stop')).toEqual([648, 648 + 250 + 200]);
    expect(range('keepalived-crash')).toEqual([2648, 3648 + 200]);
    expect(range('link-down')).toEqual([2648, 3648 + 200]);
    expect(range('nginx-outage')).toEqual([1000 + 2648, 2 * 1000 + 3648 + 200]);
    // nginx-hang adds the check script's timeout (1 s).
    expect(bound('nginx-hang')?.highMs).toBe(2 * 1000 + 3648 + 1000 + 200);
    // The margin the evaluation allows on top: two probe intervals.
    expect(boundMargin(10)).toBe(20);
  });

  it('BO-3: backend kinds and vrrp-partition have no failover bound', () => {
    for (const k of [
      'backend-outage',
      'backend-blackhole',
      'all-backends-down',
      'vrrp-partition',
    ] as const)
      expect([bound(k)?.lowMs, bound(k)?.highMs, bound(k)?.expectedMs]).toEqual([null, null, null]);
  });

  it('AD-1: sub-second VRRPv3 adverts are advised for a 1 s advert, not for 0.1 s', () => {
    const a = advise({
      kind: 'nginx-outage',
      bound: bound('nginx-outage'),
      failedRequests: 400,
      splitBrainSeen: false,
    });
    const v3 = a.find((x) => x.id === 'vrrp3-subsecond');
    expect(v3?.expectedMs).toBeLessThan(bound('nginx-outage')?.expectedMs ?? 0);
    expect(v3?.text['zh-CN']).toBeTruthy();
    const fast = bound('nginx-outage', 0.1, ['  vrrp_version 3']);
    expect(
      advise({ kind: 'nginx-outage', bound: fast, failedRequests: 40, splitBrainSeen: false }).map(
        (x) => x.id,
      ),
    ).not.toContain('vrrp3-subsecond');
  });

  it('AD-2/AD-3: nginx kinds without a track_file get it, and fall 1 when fall > 1', () => {
    const ids = advise({
      kind: 'nginx-outage',
      bound: bound('nginx-outage'),
      failedRequests: 400,
      splitBrainSeen: false,
    }).map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['track-file', 'check-interval']));
  });

  it('AD-4/AD-5: backend advice only when the backend drill cost requests', () => {
    const ids = (kind: DrillKind, failedRequests: number) =>
      advise({ kind, bound: bound(kind), failedRequests, splitBrainSeen: false }).map((x) => x.id);
    expect(ids('backend-outage', 3)).toContain('proxy-next-upstream');
    expect(ids('backend-outage', 0)).not.toContain('proxy-next-upstream');
    expect(ids('backend-blackhole', 7)).toContain('proxy-connect-timeout');
    expect(ids('backend-blackhole', 0)).not.toContain('proxy-connect-timeout');
  });

  it('AD-6: vrrp_higher_prio_send_advert after a partition or a split brain, unless set', () => {
    const ids = (kind: DrillKind, split: boolean, global?: string[]) =>
      advise({ kind, bound: bound(kind, 1, global), failedRequests: 0, splitBrainSeen: split }).map(
        (x) => x.id,
      );
    expect(ids('vrrp-partition', true)).toContain('higher-prio-send-advert');
    expect(ids('keepalived-crash', true)).toContain('higher-prio-send-advert');
    expect(ids('link-down', false)).not.toContain('higher-prio-send-advert');
    expect(
      ids('vrrp-partition', true, ['  vrrp_version 2', '  vrrp_higher_prio_send_advert']),
    ).not.toContain('higher-prio-send-advert');
  });
});
