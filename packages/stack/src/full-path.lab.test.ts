import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '@keepwatch/shared';
import { startStack, type Stack } from './stack';
import { clusterOf, holdersOf, nodeOf, serviceHealthy, vrrpStateOf } from './status-queries';

/*
 * The foundation's end-to-end path on real parts: keepalived, nginx and Tomcat in network
 * namespaces -> agents -> server -> SQLite -> live feed. The test lab uses its own prefix
 * and subnet so it can run beside a demo lab (reference topology: VIP = <subnet>.50).
 */
const PREFIX = 'kwt';
const SUBNET = '10.79.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;

let stack: Stack;
const logLines: string[] = [];

function kernelHolders(): Promise<string[]> {
  return stack.lab.vipHolders(VIP).then((h) => [...h].sort());
}

function labNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${PREFIX}-`));
}

describe('real HA lab -> agents -> server -> live feed', () => {
  beforeAll(async () => {
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET, log: (l) => logLines.push(l) });
  });

  afterAll(async () => {
    await stack?.stop();
    // Whatever happened above, nothing of the lab may be left behind.
    expect(labNamespaces()).toEqual([]);
  });

  it('shows lb1 MASTER holding the VIP, lb2 BACKUP, nginx and both Tomcats healthy', async () => {
    await stack.live.waitFor(
      'steady state',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' &&
        vrrpStateOf(s, CLUSTER, 'lb2') === 'BACKUP' &&
        holdersOf(s, CLUSTER, VIP).join() === 'lb1' &&
        serviceHealthy(s, CLUSTER, 'lb1', 'nginx') === true &&
        serviceHealthy(s, CLUSTER, 'lb2', 'nginx') === true &&
        serviceHealthy(s, CLUSTER, 'web1', 'tomcat') === true &&
        serviceHealthy(s, CLUSTER, 'web2', 'tomcat') === true,
      20_000,
    );
    // The same facts through the REST contract of ARCHITECTURE.md.
    const res = await fetch(`${stack.url}/api/v1/status`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    expect(res.status).toBe(200);
    const rest = (await res.json()) as StatusResponse;
    const cluster = clusterOf(rest, CLUSTER);
    expect(cluster?.vips).toContainEqual(
      expect.objectContaining({ address: VIP, holders: ['lb1'] }),
    );
    expect(nodeOf(rest, CLUSTER, 'lb1')?.vrrp[0]).toMatchObject({ state: 'MASTER', priority: 100 });
    expect(nodeOf(rest, CLUSTER, 'lb2')?.vrrp[0]).toMatchObject({ state: 'BACKUP', priority: 90 });
    expect(cluster?.verdict).toBe('healthy');
    expect(await kernelHolders()).toEqual(['lb1']);
  });

  it('graceful keepalived stop on lb1: lb2 MASTER and the only holder within 3 s', async () => {
    const t0 = Date.now();
    await stack.lab.service('lb1', 'keepalived', 'stop');
    await stack.live.waitFor(
      'lb2 MASTER and sole holder',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb2') === 'MASTER' && holdersOf(s, CLUSTER, VIP).join() === 'lb2',
      3_000 - (Date.now() - t0),
    );
    expect(await kernelHolders()).toEqual(['lb2']);
  });

  it('keepalived back on lb1: lb1 preempts and is the only holder', async () => {
    await stack.lab.service('lb1', 'keepalived', 'start');
    await stack.live.waitFor(
      'lb1 MASTER and sole holder again',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' && holdersOf(s, CLUSTER, VIP).join() === 'lb1',
      10_000,
    );
    expect(await kernelHolders()).toEqual(['lb1']);
  });

  it('keepalived crash on lb1: lb2 MASTER within 6 s, holders as the kernels report, flagged', async () => {
    const t0 = Date.now();
    await stack.lab.service('lb1', 'keepalived', 'kill');
    await stack.live.waitFor(
      'lb2 MASTER after the crash',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb2') === 'MASTER' && holdersOf(s, CLUSTER, VIP).includes('lb2'),
      6_000 - (Date.now() - t0),
    );
    // No process is left to remove the VIP from lb1: the kernel decides, not keepalived.
    const kernel = await kernelHolders();
    expect(kernel).toContain('lb2');
    const shown = await stack.live.waitFor(
      `holders equal to the kernels' (${kernel.join(',')})`,
      (s) => holdersOf(s, CLUSTER, VIP).join() === kernel.join(),
      2_000,
    );
    const cluster = clusterOf(shown, CLUSTER);
    await stack.live.waitFor(
      'lb1 keepalived reported down',
      (s) => serviceHealthy(s, CLUSTER, 'lb1', 'keepalived') === false,
      2_000,
    );
    if (kernel.includes('lb1')) {
      // The stale VIP on the dead node is a split brain and the verdict must say so.
      expect(cluster?.verdict).not.toBe('healthy');
      const flagged = cluster?.findings.filter((f) => f.vip === VIP || f.nodes?.includes('lb1'));
      expect(flagged?.length).toBeGreaterThan(0);
    }
  });

  it('keepalived restarted on lb1 after the crash: lb1 the only holder', async () => {
    await stack.lab.service('lb1', 'keepalived', 'start');
    await stack.live.waitFor(
      'lb1 sole holder after restart',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' && holdersOf(s, CLUSTER, VIP).join() === 'lb1',
      12_000,
    );
    expect(await kernelHolders()).toEqual(['lb1']);
  });

  it('Tomcat stopped on web1: unhealthy within 3 s; started: healthy again', async () => {
    const t0 = Date.now();
    await stack.lab.service('web1', 'tomcat', 'stop');
    await stack.live.waitFor(
      'web1 tomcat unhealthy',
      (s) => serviceHealthy(s, CLUSTER, 'web1', 'tomcat') === false,
      3_000 - (Date.now() - t0),
    );
    await stack.lab.service('web1', 'tomcat', 'start');
    await stack.live.waitFor(
      'web1 tomcat healthy',
      (s) => serviceHealthy(s, CLUSTER, 'web1', 'tomcat') === true,
      10_000,
    );
  });
});
