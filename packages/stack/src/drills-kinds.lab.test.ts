import { describe, expect, it } from 'vitest';
import type { DrillPreflight } from '@keepwatch/shared';
import { drillFigures, useDrillsLab } from './drills-lab';
import { holdersOf, serviceHealthy } from './status-queries';

/*
 * The drill kinds without a failover (backends, a frozen nginx, a VRRP partition) end to end
 * through the API on the real lab, the lab checked restored after each one, and the preflight
 * refusals (the BACKUP's nginx down, a monitor-only target). The failover kinds:
 * drills.lab.test.ts. Figures are printed for the report.
 */
const PREFIX = 'kwzx';
const SUBNET = '10.113.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;

const { lab, figures } = useDrillsLab({ prefix: PREFIX, subnet: SUBNET });

describe('drill kinds and preflight refusals on the real lab', () => {
  for (const kind of [
    'backend-outage',
    'backend-blackhole',
    'nginx-hang',
    'all-backends-down',
    'vrrp-partition',
  ] as const)
    it(`${kind}: passes end to end and leaves the lab restored`, async () => {
      const live = lab().watchSplit();
      const d = await lab().waitDone(await lab().startDrill(CLUSTER, kind));
      const codes = await live.stop();
      figures.push(...drillFigures(d));
      if (kind === 'vrrp-partition') {
        figures.push(
          `  live split-brain findings during vrrp-partition: [${[...codes].join(',')}]`,
        );
        expect(codes.size, 'the live detection flags the partition (SB-3)').toBeGreaterThan(0);
      }
      expect(
        d.status,
        `${d.error ?? ''} ${JSON.stringify(d.report.criteria.filter((c) => !c.ok))}`,
      ).toBe('passed');
      expect(d.report.restored).toBe(true);
      if (kind === 'all-backends-down') expect(d.report.failedRequests).toBeGreaterThan(0);
      if (kind === 'vrrp-partition') expect(d.report.splitBrainSeen).toBe(true);
      await lab().restored(kind);
    });

  it("preflight refuses when the BACKUP's nginx is down and when the target is monitor-only", async () => {
    const pf = async (): Promise<DrillPreflight> =>
      (await (
        await lab().api('/drills/preflight', {
          method: 'POST',
          body: JSON.stringify({ clusterId: CLUSTER, kind: 'nginx-outage' }),
        })
      ).json()) as DrillPreflight;
    /** lb1's agent started again, granting `control` (none: monitor-only). */
    const restartLb1Agent = async (control: 'drills'[]): Promise<void> => {
      await lab().stack.lab.stopAgent('lb1');
      await lab().stack.lab.startAgent('lb1', {
        serverUrl: lab().stack.url.replace(/^http/, 'ws'),
        token: lab().stack.agentToken,
        control,
      });
    };
    await lab().stack.lab.service('lb2', 'nginx', 'stop');
    try {
      await lab().stack.live.waitFor(
        'lb2 nginx down',
        (s) => serviceHealthy(s, CLUSTER, 'lb2', 'nginx') === false,
        10_000,
      );
      const p = await pf();
      expect(p.ok).toBe(false);
      expect(p.checks.find((c) => c.id === 'PF-4' && !c.ok)?.text.en).toContain(
        'lb2 is not a healthy BACKUP: its nginx is down',
      );
    } finally {
      await lab().stack.lab.service('lb2', 'nginx', 'start');
    }
    await restartLb1Agent([]);
    try {
      await lab().stack.live.waitFor(
        'lb1 back, lb2 nginx up',
        (s) =>
          serviceHealthy(s, CLUSTER, 'lb2', 'nginx') === true &&
          holdersOf(s, CLUSTER, VIP).join() === 'lb1',
        20_000,
      );
      let p = await pf();
      for (let i = 0; i < 40 && p.checks.every((c) => c.id !== 'PF-5' || c.ok); i++) {
        await new Promise((r) => setTimeout(r, 250));
        p = await pf();
      }
      const bad = p.checks.find((c) => c.id === 'PF-5' && !c.ok);
      expect(bad?.node).toBe('lb1');
      expect(bad?.text.en).toContain('monitor-only');
    } finally {
      await restartLb1Agent(['drills']);
    }
    await lab().restored('preflight');
  });
});
