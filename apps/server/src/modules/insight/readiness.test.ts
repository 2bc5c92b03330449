import { describe, expect, it } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import { exampleClusterModel, renderNginxConf } from '@keepwatch/shared';
import { pairReadiness, type ReadinessInput } from './readiness';

const lb = (
  name: string,
  state: 'MASTER' | 'BACKUP',
  over: Partial<StatusNode> = {},
): StatusNode => ({
  name,
  role: 'lb',
  online: true,
  vrrp: [
    { instance: 'VI_1', state, priority: 100, effectivePriority: state === 'MASTER' ? 100 : 90 },
  ],
  vipsHeld: state === 'MASTER' ? ['10.77.0.50'] : [],
  services: { nginx: { healthy: true } },
  clockOffsetMs: 0,
  keepalivedRunning: true,
  upstreams: [{ server: '10.77.0.21:8080', healthy: true }],
  ...over,
});
const cluster = (nodes: StatusNode[], findings: StatusCluster['findings'] = []): StatusCluster => ({
  id: 'lab',
  name: 'lab',
  verdict: 'healthy',
  findings,
  vips: [{ address: '10.77.0.50', instance: 'VI_1', holders: ['lb1'], masters: ['lb1'] }],
  nodes,
});
const now = 1_000 * 86_400_000;
const input = (c: StatusCluster, over: Partial<ReadinessInput> = {}): ReadinessInput => ({
  cluster: c,
  nginxHash: () => 'aa'.repeat(32),
  hasKeepalivedConfig: () => true,
  lastDrill: { id: 'd1', at: now - 86_400_000 },
  now,
  ...over,
});
const byId = (p: ReturnType<typeof pairReadiness>[number]) =>
  Object.fromEntries(p.checks.map((c) => [c.id, c.ok]));

describe('failover readiness per pair', () => {
  it('is ready when the BACKUP is healthy, configs match, upstreams are up, weights move and a drill is recent', () => {
    const [p] = pairReadiness(input(cluster([lb('lb1', 'MASTER'), lb('lb2', 'BACKUP')])));
    expect(p).toMatchObject({ instance: 'VI_1', master: 'lb1', backup: 'lb2', ready: true });
  });

  it('names each failed check: nginx down on the BACKUP, a different config, a dead upstream, WT-1, no drill', () => {
    const b = lb('lb2', 'BACKUP', {
      services: { nginx: { healthy: false } },
      upstreams: [{ server: '10.77.0.22:8080', healthy: false }],
    });
    const wt = {
      rule: 'WEIGHT_TOO_SMALL',
      severity: 'warning' as const,
      message: 'VI_1: x',
      code: 'WT-1',
    };
    const [p] = pairReadiness(
      input(cluster([lb('lb1', 'MASTER'), b], [wt]), {
        nginxHash: (n) => (n === 'lb1' ? 'a' : 'b'),
        lastDrill: null,
      }),
    );
    expect(p?.ready).toBe(false);
    expect(byId(p!)).toEqual({
      'backup-healthy': false,
      'config-same': false,
      'upstreams-healthy': false,
      'weights-move': false,
      'drill-recent': false,
    });
    expect(p?.checks[0]?.args).toMatchObject({ node: 'lb2', problem: 'nginx-down' });
  });

  it('says "cannot tell" (null) for an unknown hash or keepalived.conf, and a stale drill is not recent', () => {
    const [p] = pairReadiness(
      input(cluster([lb('lb1', 'MASTER'), lb('lb2', 'BACKUP', { upstreams: [] })]), {
        nginxHash: (n) => (n === 'lb1' ? 'a' : undefined),
        hasKeepalivedConfig: () => false,
        lastDrill: { id: 'old', at: now - 40 * 86_400_000 },
      }),
    );
    expect(byId(p!)).toMatchObject({
      'config-same': null,
      'upstreams-healthy': null,
      'weights-move': null,
      'drill-recent': false,
    });
  });

  it('a BACKUP whose keepalived is stopped is not healthy; a lone LB has no BACKUP', () => {
    const [p] = pairReadiness(
      input(cluster([lb('lb1', 'MASTER'), lb('lb2', 'BACKUP', { keepalivedRunning: false })])),
    );
    expect(p?.checks[0]?.args['problem']).toBe('keepalived-stopped');
    const [lone] = pairReadiness(input(cluster([lb('lb1', 'MASTER')])));
    expect(lone?.checks[0]?.args['problem']).toBe('no-backup');
  });

  it('dual-master: one pair per instance, each with its own MASTER', () => {
    const two = (name: string, a: 'MASTER' | 'BACKUP', b: 'MASTER' | 'BACKUP'): StatusNode =>
      lb(name, a, {
        vrrp: [
          {
            instance: 'VI_1',
            state: a,
            priority: 100,
            effectivePriority: a === 'MASTER' ? 100 : 90,
          },
          {
            instance: 'VI_2',
            state: b,
            priority: 100,
            effectivePriority: b === 'MASTER' ? 100 : 90,
          },
        ],
      });
    const c = cluster([two('lb1', 'MASTER', 'BACKUP'), two('lb2', 'BACKUP', 'MASTER')]);
    c.vips = [
      { address: '10.77.0.50', instance: 'VI_1', holders: ['lb1'], masters: ['lb1'] },
      { address: '10.77.0.51', instance: 'VI_2', holders: ['lb2'], masters: ['lb2'] },
    ];
    const pairs = pairReadiness(input(c));
    expect(pairs.map((p) => `${p.instance}:${p.master}->${p.backup}`)).toEqual([
      'VI_1:lb1->lb2',
      'VI_2:lb2->lb1',
    ]);
  });

  describe('config-same compares what nginx serves, not the bytes', () => {
    const files = (text: (n: string) => string) => (n: string) => ({
      main: { path: '/etc/nginx/nginx.conf', content: text(n) },
      includes: [],
    });
    const model = exampleClusterModel();
    const pair = cluster([lb('lb1', 'MASTER'), lb('lb2', 'BACKUP')]);
    const configSame = (over: Partial<ReadinessInput>) =>
      pairReadiness(input(pair, over))[0]?.checks.find((c) => c.id === 'config-same');

    it('the same structure with other bytes (each LB names itself) is the same config', () => {
      const c = configSame({
        nginxHash: (n) => (n === 'lb1' ? 'a'.repeat(64) : 'b'.repeat(64)),
        nginxFiles: files((n) => renderNginxConf(model, n)),
      });
      expect(c).toMatchObject({
        ok: true,
        args: { compared: 'structure', identical: 0, differences: 0 },
      });
    });

    it('a structural difference fails the check and is carried in words (where, master, backup)', () => {
      const c = configSame({
        nginxFiles: files((n) =>
          renderNginxConf(model, n).replace(
            'proxy_connect_timeout 200ms;',
            n === 'lb2' ? 'proxy_connect_timeout 5s;' : 'proxy_connect_timeout 200ms;',
          ),
        ),
      });
      expect(c).toMatchObject({ ok: false, args: { compared: 'structure', differences: 1 } });
      const diffs = JSON.parse(String(c?.args['diffs'])) as { where: string; backup: string }[];
      expect(diffs[0]?.where).toBe('http');
      expect(diffs[0]?.backup).toContain('proxy_connect_timeout 5s');
    });

    it('without the files’ text it falls back to the sha256, and says so', () => {
      const c = configSame({ nginxHash: (n) => (n === 'lb1' ? 'a' : 'b') });
      expect(c).toMatchObject({ ok: false, args: { compared: 'hash' } });
    });
  });
});
