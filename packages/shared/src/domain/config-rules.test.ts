import { describe, expect, it } from 'vitest';
import { deriveCluster } from './cluster-status';
import { parseKeepalivedConfig } from '../config/keepalived-config';
import type { NodeView } from './node-view';

const VIP = '10.77.0.50';

function conf(o: {
  state: string;
  prio: number;
  weight?: number;
  vrid?: number;
  pass?: string;
  advert?: number;
  vips?: string[];
}): string {
  return `
vrrp_script chk_nginx {
  script "/bin/true"
  weight ${o.weight ?? -20}
}
vrrp_instance VI_1 {
  state ${o.state}
  interface eth0
  virtual_router_id ${o.vrid ?? 51}
  priority ${o.prio}
  advert_int ${o.advert ?? 1}
  authentication {
    auth_type PASS
    auth_pass ${o.pass ?? 'pw'}
  }
  virtual_ipaddress {
${(o.vips ?? [VIP]).map((v) => `    ${v}/24`).join('\n')}
  }
  track_script {
    chk_nginx
  }
}`;
}

function lb(name: string, text: string, master: boolean): NodeView {
  return {
    name,
    role: 'lb',
    online: true,
    vrrp: [
      {
        instance: 'VI_1',
        state: master ? 'MASTER' : 'BACKUP',
        priority: 100,
        effectivePriority: 100,
        vips: [VIP],
      },
    ],
    addresses: master ? [VIP] : [],
    services: {},
    keepalivedRunning: true,
    clockOffsetMs: 0,
    keepalivedConfig: parseKeepalivedConfig(text),
  };
}

function derive(lb1: string, lb2: string) {
  return deriveCluster({
    id: 'c',
    name: 'C',
    nodes: [lb('lb1', lb1, true), lb('lb2', lb2, false)],
    knownVips: [],
    now: 0,
  });
}

describe('configuration rules', () => {
  it('WT-1: a failed check that leaves the MASTER above the BACKUP is reported with the figures', () => {
    const c = derive(
      conf({ state: 'MASTER', prio: 100, weight: -5 }),
      conf({ state: 'BACKUP', prio: 90, weight: -5 }),
    );
    expect(c.findings).toEqual([
      {
        rule: 'WEIGHT_TOO_SMALL',
        severity: 'warning',
        message:
          'VI_1: a failed chk_nginx lowers lb1 to 95 but lb2 has 90: lb2 can never take over',
        nodes: ['lb1', 'lb2'],
        code: 'WT-1',
        text: {
          en: 'VI_1: a failed chk_nginx lowers lb1 to 95 but lb2 has 90: lb2 can never take over',
          'zh-CN': expect.stringContaining('lb2') as string,
        },
      },
    ]);
    expect(c.verdict).toBe('at_risk');
  });

  it('WT-1: a large enough weight, a weight-0 (FAULT) script and a tie are told apart', () => {
    expect(
      derive(conf({ state: 'MASTER', prio: 100 }), conf({ state: 'BACKUP', prio: 90 })).findings,
    ).toEqual([]);
    expect(
      derive(
        conf({ state: 'MASTER', prio: 100, weight: 0 }),
        conf({ state: 'BACKUP', prio: 90, weight: 0 }),
      ).findings,
    ).toEqual([]);
    const tie = derive(
      conf({ state: 'MASTER', prio: 100, weight: -10 }),
      conf({ state: 'BACKUP', prio: 90, weight: -10 }),
    );
    expect(tie.findings[0]?.message).toContain('lb2 takes over only if its address is higher');
  });

  it('WT-1: a positive weight counts for the healthy BACKUP', () => {
    // lb1 100 (+10 when healthy, 100 when failed); lb2 95 + 10 = 105 when healthy: takes over.
    expect(
      derive(
        conf({ state: 'MASTER', prio: 100, weight: 10 }),
        conf({ state: 'BACKUP', prio: 95, weight: 10 }),
      ).findings,
    ).toEqual([]);
  });

  it('CM-1: virtual_router_id differs', () => {
    const c = derive(
      conf({ state: 'MASTER', prio: 100 }),
      conf({ state: 'BACKUP', prio: 90, vrid: 52 }),
    );
    expect(c.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['CONFIG_MISMATCH', 'critical', 'VI_1: virtual_router_id differs: lb1 51, lb2 52'],
    ]);
  });

  it('CM-2: auth_pass differs and the secret stays out of the message', () => {
    const c = derive(
      conf({ state: 'MASTER', prio: 100, pass: 'alpha' }),
      conf({ state: 'BACKUP', prio: 90, pass: 'beta' }),
    );
    expect(c.findings.map((f) => f.message)).toEqual([
      'VI_1: auth_pass differs between lb1 and lb2',
    ]);
    expect(JSON.stringify(c)).not.toContain('alpha');
  });

  it('CM-3 and CM-4: advert_int and the VIP list differ', () => {
    const c = derive(
      conf({ state: 'MASTER', prio: 100, advert: 2 }),
      conf({ state: 'BACKUP', prio: 90, vips: [VIP, '10.77.0.60'] }),
    );
    expect(c.findings.map((f) => f.message)).toEqual([
      'VI_1: advert_int differs: lb1 2, lb2 1',
      'VI_1: virtual_ipaddress differs: lb1 10.77.0.50, lb2 10.77.0.50 10.77.0.60',
    ]);
  });
});
