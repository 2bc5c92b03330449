import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Lab, type LabConfigFlavour } from '@keepwatch/lab';
import { ClientProbe, isGood, type ProbeSample } from '@keepwatch/probe';
import { until } from './lab-recorder';

/*
 * Issue 9 item 5, the fast failover path, on real keepalived/nginx (root, lab lock): nginx
 * stopped (SIGTERM to its master) on the MASTER, client-visible downtime measured by a
 * client that opens a new connection to the VIP every 10 ms (packages/probe, 100 ms
 * timeout), for the default config and for Keepwatch's generated one (`--config keepwatch`:
 * VRRPv3 0.2 s adverts, track_file weight 0 written by the agent every 100 ms, the classic
 * vrrp_script kept), one after the other in the same run. Downtime = the longest run of
 * failed requests, from the start of its first to the start of the next good one.
 */

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Outcome {
  downtimeMs: number;
  failed: number;
  requests: number;
  holderAfter: string[];
}

function longestOutage(samples: ProbeSample[]): { ms: number; failed: number } {
  let worst = 0;
  let failed = 0;
  let start: number | undefined;
  for (const s of samples) {
    if (!isGood(s.r)) {
      failed++;
      start ??= s.t;
    } else if (start !== undefined) {
      worst = Math.max(worst, s.t - start);
      start = undefined;
    }
  }
  return { ms: start !== undefined ? Infinity : worst, failed };
}

function logOf(lab: Lab, host: string, name: string): string {
  try {
    return readFileSync(join(lab.baseDir, host, name), 'utf8');
  } catch {
    return '';
  }
}

function grepLog(lab: Lab, host: string, name: string, re: RegExp): string {
  return logOf(lab, host, name)
    .split('\n')
    .filter((l) => re.test(l))
    .slice(-30)
    .join('\n');
}

async function nginxOutage(flavour: LabConfigFlavour, subnet: string): Promise<Outcome> {
  const lab = new Lab({ prefix: 'kwag', subnet, config: flavour });
  const vip = `${subnet}.50`;
  const samples: ProbeSample[] = [];
  let probe: ClientProbe | undefined;
  try {
    await lab.up();
    if (flavour === 'keepwatch')
      for (const host of ['lb1', 'lb2']) {
        // No panel: the fast path works without one (the agent keeps retrying the socket).
        await lab.startAgent(host, {
          serverUrl: `http://${lab.hostIp}:9`,
          token: 'fast-path-test',
          command: [process.execPath, '--import', 'tsx', main],
        });
        // keepalived's init_file writes 0 too: wait for the agent's own word.
        await until(
          `${host}'s agent writing 0 to its track file`,
          () => logOf(lab, host, 'agent.log').includes('fast path: nginx up'),
          20_000,
        );
      }
    await until('VIP on lb1', async () => (await lab.vipHolders(vip)).join() === 'lb1', 30_000);
    probe = new ClientProbe({
      url: `http://${vip}/`,
      intervalMs: 10,
      timeoutMs: 100,
      onSample: (s) => samples.push(s),
    });
    probe.start();
    await until('1 s of good requests', () => samples.filter((s) => isGood(s.r)).length >= 100);
    const t0 = performance.timeOrigin + performance.now();
    await lab.service('lb1', 'nginx', 'stop');
    await until('VIP on lb2', async () => (await lab.vipHolders(vip)).join() === 'lb2', 15_000);
    // Served again, steadily: 50 good requests in a row after the outage.
    await until(
      'served by lb2',
      () => {
        const after = samples.filter((s) => s.t > t0);
        const tail = after.slice(-50);
        return tail.length === 50 && tail.every((s) => isGood(s.r));
      },
      15_000,
    );
    await probe.stop();
    probe = undefined;
    if (flavour === 'keepwatch')
      console.log(
        `lb1 agent:\n${grepLog(lab, 'lb1', 'agent.log', /fast path/)}\nlb1 keepalived:\n${grepLog(lab, 'lb1', 'keepalived.log', /kw_nginx|FAULT|priority|MASTER|BACKUP/)}`,
      );
    const { ms, failed } = longestOutage(samples);
    return {
      downtimeMs: Math.round(ms),
      failed,
      requests: samples.length,
      holderAfter: await lab.vipHolders(vip),
    };
  } finally {
    await probe?.stop();
    await lab.down();
  }
}

describe('fast failover path: nginx stopped on the MASTER', () => {
  it('costs ≤ 0.5 s with the generated config and the agent, beside the default config', async () => {
    const byDefault = await nginxOutage('default', '10.92.0');
    const keepwatch = await nginxOutage('keepwatch', '10.93.0');
    console.log(
      `nginx outage on the MASTER, client-visible downtime: default config ${byDefault.downtimeMs} ms ` +
        `(${byDefault.failed}/${byDefault.requests} failed), Keepwatch config + agent ` +
        `${keepwatch.downtimeMs} ms (${keepwatch.failed}/${keepwatch.requests} failed)`,
    );
    expect(byDefault.holderAfter).toEqual(['lb2']);
    expect(keepwatch.holderAfter).toEqual(['lb2']);
    // The measurement sees the default config's outage (measured 4.2–5.2 s in the reference lab).
    expect(byDefault.downtimeMs).toBeGreaterThan(2000);
    expect(keepwatch.downtimeMs).toBeLessThanOrEqual(500);
  });
});
