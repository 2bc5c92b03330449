import type { PushHost } from '@keepwatch/shared';
import { Stop, type GateFacts, type HostLog, type PushPorts, type PushTuning } from './push-ports';

/*
 * The health checks around each host's reload (SPEC.md):
 *   PU-4 stable first: before each host's reload the cluster must have been stable for
 *        stableMs (no VRRP transition, one VIP holder) and no takeover pending (a MASTER
 *        below a BACKUP's effective priority): the "reload that handed the VIP to lb2" was
 *        such a pending takeover running out (README, measured), not the reload.
 *   PU-6 gate after each host: settleMs, then the VIP holder unchanged, nginx healthy on the
 *        host, requests served through the host's own address and through the VIP.
 */

/**
 * PU-4: a MASTER whose effective priority is below a peer's (its tracked check fails) still
 * holds the VIP until the peer's master-down timer runs out (3 × advert + skew, 3.65 s in the
 * lab): a takeover is under way although nothing has transitioned yet (README, measured).
 */
export function pendingTakeover(f: GateFacts): string | undefined {
  for (const m of f.vrrp ?? []) {
    if (m.state !== 'MASTER') continue;
    const higher = (f.vrrp ?? []).find(
      (o) =>
        o.instance === m.instance &&
        o.node !== m.node &&
        o.state === 'BACKUP' &&
        o.effectivePriority > m.effectivePriority,
    );
    if (higher)
      return `${m.instance}: MASTER ${m.node} at effective priority ${m.effectivePriority}, below ${higher.node}'s ${higher.effectivePriority}: a takeover is pending`;
  }
  return undefined;
}

/** PU-4 */
export async function waitStable(
  ports: PushPorts,
  tuning: PushTuning,
  log: HostLog,
  h: PushHost,
): Promise<void> {
  const { stableMs, stableTimeoutMs } = tuning;
  const deadline = ports.now() + stableTimeoutMs;
  for (;;) {
    const f = ports.facts(h.host);
    const quietFor = ports.now() - (f.lastTransitionAt ?? 0);
    if (!f.online) {
      log.step(h, 'gate: agent online', false, 'the agent is offline');
      log.set(h, 'failed', 'the agent is offline');
      throw new Stop(`${h.host}: the agent is offline`);
    }
    const pending = pendingTakeover(f);
    if (f.holders.length === 1 && quietFor >= stableMs && pending === undefined) {
      log.step(
        h,
        'gate: cluster stable',
        true,
        `no VRRP transition for ${Math.round(quietFor)} ms; VIP on ${f.holders[0] ?? ''}`,
      );
      return;
    }
    if (ports.now() >= deadline) {
      const why =
        f.holders.length !== 1
          ? `VIP holders: ${f.holders.join(', ') || 'none'}`
          : (pending ?? `a VRRP transition ${Math.round(quietFor)} ms ago`);
      log.step(h, 'gate: cluster stable', false, why);
      log.set(h, 'failed', `the cluster did not settle within ${stableTimeoutMs} ms (${why})`);
      throw new Stop(`${h.host}: the cluster was not stable (${why}); nothing was reloaded here`);
    }
    await ports.sleep(Math.min(500, Math.max(50, stableMs - quietFor)));
  }
}

/** PU-6: undefined when the host passes its gate. */
export async function gate(
  ports: PushPorts,
  tuning: PushTuning,
  log: HostLog,
  h: PushHost,
  before: string[],
): Promise<string | undefined> {
  await ports.sleep(tuning.settleMs);
  const f = ports.facts(h.host);
  const moved = f.holders.join(',') !== before.join(',');
  log.step(
    h,
    'gate: VIP did not move',
    !moved,
    `holders ${f.holders.join(', ') || 'none'} (before: ${before.join(', ') || 'none'})`,
  );
  if (moved)
    return `the VIP moved: holders ${f.holders.join(', ') || 'none'}, before ${before.join(', ')}`;
  if (f.nginxHealthy === false) {
    log.step(h, 'gate: nginx healthy', false);
    return 'nginx is not healthy on the host after the reload';
  }
  log.step(h, 'gate: nginx healthy', true);
  const urls = [
    ...(f.address ? [[`own address`, `http://${f.address}${tuning.path}`] as const] : []),
    ...f.vips.map((v) => [`VIP ${v}`, `http://${v}${tuning.path}`] as const),
  ];
  for (const [label, url] of urls) {
    for (let i = 0; i < tuning.requests; i += 1) {
      const r = await ports.served(url);
      if (!r.ok) {
        log.step(h, `gate: served through ${label}`, false, `${url}: ${r.detail}`);
        return `a request through the ${label} was not served (${url}: ${r.detail})`;
      }
    }
    log.step(
      h,
      `gate: served through ${label}`,
      true,
      `${tuning.requests} of ${tuning.requests} requests to ${url}`,
    );
  }
  return undefined;
}
