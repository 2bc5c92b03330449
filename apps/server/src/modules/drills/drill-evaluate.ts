import {
  DRILL_KIND_INFO,
  type DrillBound,
  type DrillCriterionResult,
  type DrillFinding,
  type DrillKind,
  type DrillText,
  type DrillTransition,
} from '@keepwatch/shared';
import type { Measurement } from './drill-measure';

/*
 * Pass or fail against the hypothesis (SPEC.md EV-*): each criterion of the kind is checked
 * on the measurement; findings say what the operator must know even when it passed.
 */

const t = (en: string, zh: string): DrillText => ({ en, 'zh-CN': zh });

export interface EvaluateInput {
  kind: DrillKind;
  m: Measurement;
  bound: DrillBound | null;
  oldMaster: string | null;
  restored: boolean;
  restoreDetail: string;
  transitions: readonly DrillTransition[];
  faultAt: number;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  holdMs: number;
}

export interface Evaluation {
  criteria: DrillCriterionResult[];
  findings: DrillFinding[];
  passed: boolean;
}

const s = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(3)} s`);

/** EV-1: the margin over the bound: two probe intervals (the probe's own resolution). */
export function boundMargin(probeIntervalMs: number): number {
  return 2 * probeIntervalMs;
}

/**
 * EV-4: what happened to the VIP on the downed link, from the facts the agent reported (its
 * outbox replays them once the link is back): keepalived removed it while the link was down
 * (its FAULT state), or it stayed there. Either way it was no second holder (SB-2).
 */
function downedLinkFinding(
  dead: DrillTransition,
  transitions: readonly DrillTransition[],
): DrillFinding {
  const after = (x: DrillTransition): boolean => x.node === dead.node && x.at >= dead.at;
  const up = transitions.find((x) => x.kind === 'link-up' && after(x));
  const gone = transitions.find((x) => x.kind === 'vip-del' && after(x));
  const n = dead.node;
  if (gone && (!up || gone.at <= up.at)) {
    const ms = s(gone.at - dead.at);
    return {
      code: 'vip-removed-on-link-down',
      severity: 'info',
      at: gone.at,
      text: t(
        `keepalived on ${n} removed the VIP ${ms} after its link went down (FAULT state): no copy was left on the downed link. ${n}'s agent was cut off with the link, so the server learned it only when the link was back; meanwhile ${n}'s last report (VIP held) was not counted as a second holder.`,
        `${n} 的网卡断开 ${ms} 后，其 keepalived 移除了 VIP（FAULT 状态）：断开的网卡上没有留下副本。${n} 的 agent 随网卡一起断联，服务器在网卡恢复后才得知；在此期间 ${n} 最后一次上报（持有 VIP）未被算作第二个持有者。`,
      ),
    };
  }
  const until = up ? ` for ${s(up.at - dead.at)}, until the link was back` : '';
  const untilZh = up ? `，持续 ${s(up.at - dead.at)}，直到网卡恢复` : '';
  return {
    code: 'vip-on-downed-link',
    severity: 'warning',
    at: dead.at,
    text: t(
      `the VIP stayed configured on ${n}'s downed link${until}. It could not answer there, so it was no split brain; but it is the copy that answers if the link comes back before keepalived on ${n} removes it (two holders then: a split brain).`,
      `VIP 仍配置在 ${n} 已断开的网卡上${untilZh}。它在那里无法应答，因此不算脑裂；但若网卡在 ${n} 的 keepalived 移除它之前恢复，应答的就是这份副本（届时两个持有者：脑裂）。`,
    ),
  };
}

export function evaluate(e: EvaluateInput): Evaluation {
  const { m } = e;
  const info = DRILL_KIND_INFO[e.kind];
  const criteria: DrillCriterionResult[] = info.criteria.map((c) => {
    const r = (ok: boolean, detail: string): DrillCriterionResult => ({
      id: c.id,
      ok,
      text: c.text,
      detail,
    });
    switch (c.id) {
      case 'failover':
        return r(
          m.newMaster !== null,
          m.newMaster
            ? `VIP in ${m.newMaster}'s kernel ${s(m.timeToNewMasterMs)} after the fault`
            : 'the VIP never moved',
        );
      case 'no-failover':
        return r(
          m.newMaster === null,
          m.newMaster
            ? `the VIP moved to ${m.newMaster}`
            : `the VIP stayed on ${e.oldMaster ?? '?'}`,
        );
      case 'served': {
        const ok = m.outage === null || (m.outage.closed && m.outage.to <= e.faultAt + e.holdMs);
        return r(ok, m.outage ? `outage ${s(m.downtimeMs)}` : 'no outage');
      }
      case 'downtime-bound': {
        if (!e.bound || e.bound.highMs === null)
          return r(true, 'no bound could be computed from the config');
        const limit = e.bound.highMs + boundMargin(e.probeIntervalMs);
        return r(
          m.downtimeMs <= limit,
          `downtime ${s(m.downtimeMs)}, bound ${s(e.bound.lowMs)}–${s(e.bound.highMs)}`,
        );
      }
      case 'no-failures':
        return r(
          m.failedRequests === 0,
          `${m.failedRequests} of ${m.totalRequests} requests failed`,
        );
      case 'failures-seen':
        return r(
          m.failedRequests > 0,
          `${m.failedRequests} requests failed over ${s(m.downtimeMs)}`,
        );
      case 'split-flagged':
        return r(
          m.splitBrainSeen,
          m.splitBrainSeen
            ? 'two kernels held the VIP and the drill saw it'
            : 'no split brain was seen',
        );
      case 'no-split':
        return r(
          !m.splitBrainSeen,
          m.splitBrainSeen ? 'the VIP was in two kernels at once' : 'one holder at a time',
        );
      case 'restored':
        return r(e.restored, e.restoreDetail);
    }
  });
  const findings: DrillFinding[] = [];
  const split = e.transitions.find((x) => x.kind === 'split-brain');
  if (split && e.kind === 'keepalived-crash')
    // EV-3: the stale VIP of a crashed keepalived.
    findings.push({
      code: 'stale-vip',
      severity: 'critical',
      at: split.at,
      text: t(
        `keepalived died on ${e.oldMaster ?? 'the MASTER'} without removing the VIP: its kernel kept it while ${m.newMaster ?? 'the BACKUP'} took over, so two kernels held the VIP (${split.detail}). Clients whose ARP entry points at the dead node are black-holed until keepalived restarts there.`,
        `${e.oldMaster ?? 'MASTER'} 上的 keepalived 崩溃且未移除 VIP：在 ${m.newMaster ?? 'BACKUP'} 接管时其内核仍保留 VIP，两个内核同时持有 VIP（${split.detail}）。ARP 指向故障节点的客户端在其 keepalived 重启前都会被黑洞。`,
      ),
    });
  else if (split)
    findings.push({
      code: 'split-brain',
      severity: e.kind === 'vrrp-partition' ? 'warning' : 'critical',
      at: split.at,
      text: t(`split brain: ${split.detail}`, `脑裂：${split.detail}`),
    });
  const dead = e.transitions.find((x) => x.kind === 'link-down');
  if (dead) findings.push(downedLinkFinding(dead, e.transitions));
  if (
    (e.kind === 'nginx-outage' || e.kind === 'nginx-hang') &&
    m.checkScriptFired === false &&
    m.newMaster
  )
    findings.push({
      code: 'check-script-silent',
      severity: 'warning',
      text: t(
        "the VIP moved but the MASTER's priority never dropped: the tracked check script did not fire (the failover came from elsewhere)",
        'VIP 已漂移但 MASTER 的优先级从未下降：被跟踪的检查脚本没有触发（切换由其他原因引起）',
      ),
    });
  if (
    (e.kind === 'nginx-outage' || e.kind === 'nginx-hang') &&
    m.checkScriptFired === false &&
    !m.newMaster
  )
    findings.push({
      code: 'no-check-script',
      severity: 'critical',
      text: t(
        'nginx failed on the MASTER but keepalived did not react: no tracked check script lowered its priority, so the VIP stayed on a dead nginx',
        'MASTER 上 nginx 已失效但 keepalived 没有反应：没有被跟踪的检查脚本降低其优先级，VIP 停留在失效的 nginx 上',
      ),
    });
  if (e.kind === 'all-backends-down')
    findings.push({
      code: 'no-backend',
      severity: 'warning',
      text: t(
        `with every backend down the VIP stayed on ${e.oldMaster ?? 'the MASTER'} and clients got errors: ${m.failedRequests} failed requests over ${s(m.downtimeMs)}. No load-balancer failover can help; only more backends can.`,
        `所有后端停止时 VIP 仍在 ${e.oldMaster ?? 'MASTER'} 上，客户端收到错误：${s(m.downtimeMs)} 内失败 ${m.failedRequests} 个请求。负载均衡层切换无济于事，只有增加后端才行。`,
      ),
    });
  if (e.kind === 'backend-blackhole' && m.failedRequests > 0)
    findings.push({
      code: 'blackholed-requests',
      severity: 'warning',
      text: t(
        `${m.failedRequests} requests hung on the black-holed backend until the probe's ${e.probeTimeoutMs} ms timeout: nginx kept sending to it (proxy_connect_timeout too long).`,
        `${m.failedRequests} 个请求挂在黑洞后端上直至探测超时 ${e.probeTimeoutMs} ms：nginx 仍向其转发（proxy_connect_timeout 过长）。`,
      ),
    });
  if (m.failback.failedRequests > 0)
    findings.push({
      code: 'failback-disruption',
      severity: 'info',
      text: t(
        `fail-back cost ${m.failback.failedRequests} requests (${s(m.failback.disruptionMs)})`,
        `回切损失 ${m.failback.failedRequests} 个请求（${s(m.failback.disruptionMs)}）`,
      ),
    });
  // EV-2: a drill passes only if every criterion holds.
  return { criteria, findings, passed: criteria.every((c) => c.ok) };
}
