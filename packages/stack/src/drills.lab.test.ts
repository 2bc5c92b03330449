import { describe, expect, it } from 'vitest';
import type { Drill } from '@keepwatch/shared';
import { drillFigures, independentClient, useDrillsLab, type ClientOutage } from './drills-lab';

/*
 * The failover drill kinds end to end through the API on the real lab (keepalived, nginx,
 * Tomcat with the lab's default, tutorial-style config), the lab checked restored after each
 * one; the reported downtime compared with an independent client the test runs itself (its
 * own process and socket loop, no product code). The other kinds and the preflight
 * refusals: drills-kinds.lab.test.ts. Figures are printed for the report.
 */
const PREFIX = 'kwdr';
const SUBNET = '10.98.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;

interface IpLink {
  flags: string[];
  operstate?: string;
  addr_info?: { local: string }[];
}

const { lab, figures } = useDrillsLab({ prefix: PREFIX, subnet: SUBNET });

/**
 * Runs `start` (which starts a drill and resolves with its id) with the independent client
 * against the VIP from 300 ms before to the drill's end; pushes both figures.
 */
async function againstClient(
  start: () => Promise<string>,
): Promise<{ d: Drill; own: ClientOutage }> {
  const client = independentClient(VIP);
  await new Promise((r) => setTimeout(r, 300));
  const d = await lab().waitDone(await start());
  const own = await client.stop();
  figures.push(...drillFigures(d));
  figures.push(
    `  independent client: outage ${Math.round(own.outageMs)} ms, failed ${own.failed}/${own.total}`,
  );
  return { d, own };
}

describe('failover drills on the real lab', () => {
  it('nginx-outage: passes, a second drill is refused 409, downtime within ±50 ms of the independent client', async () => {
    const { d, own } = await againstClient(async () => {
      const id = await lab().startDrill(CLUSTER, 'nginx-outage');
      const second = await lab().api('/drills', {
        method: 'POST',
        body: JSON.stringify({ clusterId: CLUSTER, kind: 'keepalived-stop' }),
      });
      expect(second.status).toBe(409);
      expect(((await second.json()) as { message: string }).message).toContain(id);
      return id;
    });
    expect(d.status, d.error ?? '').toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.restored).toBe(true);
    expect(d.report.checkScriptFired).toBe(true);
    expect(Math.abs(d.report.downtimeMs - own.outageMs)).toBeLessThanOrEqual(50);
    await lab().restored('nginx-outage');
  });

  it('keepalived-stop: passes, downtime within ±50 ms of the independent client', async () => {
    const { d, own } = await againstClient(() => lab().startDrill(CLUSTER, 'keepalived-stop'));
    expect(d.status, d.error ?? '').toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(Math.abs(d.report.downtimeMs - own.outageMs)).toBeLessThanOrEqual(50);
    await lab().restored('keepalived-stop');
  });

  it('keepalived-crash: the stale VIP is a finding, never a clean pass', async () => {
    const live = lab().watchSplit();
    const d = await lab().waitDone(await lab().startDrill(CLUSTER, 'keepalived-crash'));
    const codes = await live.stop();
    figures.push(...drillFigures(d));
    figures.push(`  live split-brain findings during keepalived-crash: [${[...codes].join(',')}]`);
    expect(codes.has('SB-1'), 'the live detection flags the stale VIP (SB-1, SB-3)').toBe(true);
    expect(d.status).toBe('failed');
    expect(d.report.splitBrainSeen).toBe(true);
    expect(d.report.findings.map((f) => f.code)).toContain('stale-vip');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.restored).toBe(true);
    await lab().restored('keepalived-crash');
  });

  it("link-down: the VIP left on lb1's downed link is no split brain (SB-2): a finding, no-split holds, passed", async () => {
    // The kernel's own word, read by the test (no product code): lb1's eth0 and the VIP on it,
    // every 100 ms while the drill runs (bounded: 600 reads).
    const kernel: { t: number; down: boolean; vip: boolean }[] = [];
    let reading = true;
    const reader = (async () => {
      for (let i = 0; i < 600 && reading; i++) {
        const r = await lab().stack.lab.exec('lb1', [
          'ip',
          '-j',
          '-4',
          'addr',
          'show',
          'dev',
          'eth0',
        ]);
        const link = (JSON.parse(r.stdout || '[]') as IpLink[])[0];
        if (link)
          kernel.push({
            t: Date.now(),
            down: !link.flags.includes('UP') || link.operstate === 'DOWN',
            vip: (link.addr_info ?? []).some((a) => a.local === VIP),
          });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const live = lab().watchSplit();
    const d = await lab().waitDone(await lab().startDrill(CLUSTER, 'link-down'));
    const codes = await live.stop();
    figures.push(`  live split-brain findings during link-down: [${[...codes].join(',')}]`);
    expect([...codes], 'no false split brain in the live detection (SB-3)').toEqual([]);
    reading = false;
    await reader;
    figures.push(...drillFigures(d));
    const onDead = kernel.filter((k) => k.down && k.vip);
    const downReads = kernel.filter((k) => k.down);
    const firstDown = downReads[0]?.t ?? 0;
    const upWithVip = kernel.filter((k) => !k.down && k.vip);
    figures.push(
      `  lb1's kernel (read by the test every 100 ms): eth0 down in ${downReads.length} reads, the VIP on it in ${onDead.length} of them${onDead.length > 0 ? ` (until ${(onDead.at(-1)?.t ?? 0) - firstDown} ms after the first down read)` : ''}; link up with the VIP in ${upWithVip.length} reads (before the fault and after the fail-back)`,
    );
    figures.push(
      `  findings: ${d.report.findings.map((f) => `${f.code}: ${f.text.en}`).join(' | ')}`,
    );
    expect(downReads.length, 'the test saw eth0 down').toBeGreaterThan(0);
    expect(
      d.status,
      `${d.error ?? ''} ${JSON.stringify(d.report.criteria.filter((c) => !c.ok))}`,
    ).toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.splitBrainSeen).toBe(false);
    expect(d.report.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    expect(d.report.transitions.find((x) => x.kind === 'link-down')?.node).toBe('lb1');
    expect(upWithVip.length, 'the test saw the VIP on lb1 at all').toBeGreaterThan(0);
    // EV-4: the finding says what lb1's kernel did, as the test read it itself.
    expect(d.report.findings.map((f) => f.code)).toContain(
      onDead.length > 5 ? 'vip-on-downed-link' : 'vip-removed-on-link-down',
    );
    expect(d.report.restored).toBe(true);
    await lab().restored('link-down');
  });
});
