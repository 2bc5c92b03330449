import {
  DRILL_KIND_INFO,
  type DrillCheck,
  type DrillKind,
  type DrillOptions,
  type DrillPreflight,
  type DrillText,
  type StatusCluster,
  type StatusNode,
} from '@keepwatch/shared';
import type { ClusterOpHold } from '../cluster-ops/index';

/*
 * Preflight (SPEC.md PF-*): a pure function of the cluster as the server sees it now. A
 * drill starts only when every check passes; otherwise the checks that failed are the
 * reasons of the refusal, each naming its host.
 */

export interface PreflightInput {
  clusterId: string;
  cluster: StatusCluster | undefined;
  kind: DrillKind;
  options: DrillOptions;
  /** The `control` an online agent announced in its hello; undefined = not known. */
  control: (node: string) => readonly string[] | undefined;
  busy: ClusterOpHold | undefined;
  /** Largest |clock offset| allowed for an agent whose timestamps the drill uses. */
  clockLimitMs: number;
}

const t = (en: string, zh: string): DrillText => ({ en, 'zh-CN': zh });

function check(id: string, ok: boolean, text: DrillText, node?: string): DrillCheck {
  return { id, ok, text, ...(node !== undefined && { node }) };
}

const healthy = (n: StatusNode, svc: 'nginx' | 'keepalived' | 'tomcat'): boolean =>
  n.services[svc]?.healthy === true;

/** Seconds the node's agent has been silent, when the cluster view says so (SA-1). */
function staleSeconds(cluster: StatusCluster, node: string): number | undefined {
  const f = cluster.findings.find((x) => x.code === 'SA-1' && x.args?.['node'] === node);
  if (!f) return undefined;
  const s = Number(f.args?.['seconds']);
  return Number.isFinite(s) ? s : 0;
}

/** Who gets the fault for this kind, given the current MASTER; [] when it cannot tell. */
export function planTargets(
  cluster: StatusCluster,
  kind: DrillKind,
  master: string | null,
  options: DrillOptions,
): string[] {
  const backends = cluster.nodes.filter((n) => n.role === 'backend').map((n) => n.name);
  switch (DRILL_KIND_INFO[kind].target) {
    case 'master':
      return master ? [options.target ?? master] : [];
    case 'backend': {
      if (options.target) return [options.target];
      const first = cluster.nodes
        .filter((n) => n.role === 'backend' && healthy(n, 'tomcat'))
        .map((n) => n.name)
        .sort()[0];
      return first ? [first] : [];
    }
    case 'backends':
      return backends.sort();
    case 'lbs':
      return cluster.nodes
        .filter((n) => n.role === 'lb')
        .map((n) => n.name)
        .sort();
  }
}

function emptyPlan(options: DrillOptions, kind: DrillKind): DrillPreflight['plan'] {
  return {
    vip: null,
    master: null,
    targets: [],
    probeFrom: options.probeFrom ?? 'server',
    holdMs: options.holdMs ?? DRILL_KIND_INFO[kind].defaultHoldMs,
  };
}

export function preflight(input: PreflightInput): DrillPreflight {
  const { cluster, kind, options } = input;
  const info = DRILL_KIND_INFO[kind];
  const checks: DrillCheck[] = [];
  const plan = emptyPlan(options, kind);
  // PF-8: one drill or push per cluster.
  if (input.busy) {
    const what = input.busy.kind === 'drill' ? 'a drill' : 'a config push';
    const zh = input.busy.kind === 'drill' ? '一个演练' : '一次配置下发';
    checks.push(
      check(
        'PF-8',
        false,
        t(
          `${what} (${input.busy.id}) started by ${input.busy.by} is running on this cluster`,
          `该集群正在进行${zh}（${input.busy.id}，由 ${input.busy.by} 发起）`,
        ),
      ),
    );
  }
  // PF-1: the cluster is known.
  if (!cluster) {
    checks.push(
      check('PF-1', false, t(`unknown cluster ${input.clusterId}`, `未知集群 ${input.clusterId}`)),
    );
    return { ok: false, checks, plan };
  }
  // PF-2: exactly one kernel holder of every VIP; the drill's VIP exists.
  const vip = options.vip ? cluster.vips.find((v) => v.address === options.vip) : cluster.vips[0];
  if (!vip) {
    checks.push(
      check(
        'PF-2',
        false,
        options.vip
          ? t(`the cluster has no VIP ${options.vip}`, `集群没有 VIP ${options.vip}`)
          : t('the cluster has no VIP', '集群没有 VIP'),
      ),
    );
    return { ok: false, checks, plan };
  }
  plan.vip = vip.address;
  for (const v of cluster.vips) {
    const ok = v.holders.length === 1;
    checks.push(
      check(
        'PF-2',
        ok,
        ok
          ? t(
              `VIP ${v.address} is held by ${v.holders[0]} only`,
              `VIP ${v.address} 仅由 ${v.holders[0]} 持有`,
            )
          : v.holders.length === 0
            ? t(
                `VIP ${v.address} is in no kernel: nothing to fail over`,
                `VIP ${v.address} 不在任何内核中：无可切换`,
              )
            : t(
                `VIP ${v.address} is in ${v.holders.length} kernels (${v.holders.join(', ')}): a split brain already`,
                `VIP ${v.address} 同时在 ${v.holders.length} 个内核中（${v.holders.join('、')}）：已经脑裂`,
              ),
      ),
    );
  }
  const master = vip.holders.length === 1 ? (vip.holders[0] ?? null) : null;
  plan.master = master;
  const lbs = cluster.nodes.filter((n) => n.role === 'lb');
  const byName = new Map(cluster.nodes.map((n) => [n.name, n]));
  // PF-3: the holder is a running MASTER with nginx up.
  const masterNode = master ? byName.get(master) : undefined;
  if (masterNode) {
    const vr = masterNode.vrrp.find((x) => x.instance === vip.instance);
    const ok = masterNode.online && vr?.state === 'MASTER' && healthy(masterNode, 'nginx');
    checks.push(
      check(
        'PF-3',
        ok,
        ok
          ? t(
              `${master} is MASTER of ${vip.instance} with nginx up`,
              `${master} 是 ${vip.instance} 的 MASTER，nginx 正常`,
            )
          : t(
              `${master} holds the VIP but is not a healthy MASTER (online ${masterNode.online}, VRRP ${vr?.state ?? 'unknown'}, nginx ${healthy(masterNode, 'nginx') ? 'up' : 'down'})`,
              `${master} 持有 VIP 但不是健康的 MASTER（在线 ${masterNode.online}，VRRP ${vr?.state ?? '未知'}，nginx ${healthy(masterNode, 'nginx') ? '正常' : '异常'}）`,
            ),
        master ?? undefined,
      ),
    );
  }
  // PF-4: a healthy BACKUP: online, keepalived BACKUP on the instance, nginx up.
  const backups = lbs.filter((n) => n.name !== master);
  const goodBackup = backups.find(
    (n) =>
      n.online &&
      n.vrrp.some((x) => x.instance === vip.instance && x.state === 'BACKUP') &&
      healthy(n, 'nginx') &&
      n.keepalivedRunning !== false,
  );
  if (goodBackup) {
    checks.push(
      check(
        'PF-4',
        true,
        t(`${goodBackup.name} is a healthy BACKUP`, `${goodBackup.name} 是健康的 BACKUP`),
        goodBackup.name,
      ),
    );
  } else if (backups.length === 0) {
    checks.push(
      check('PF-4', false, t('there is no BACKUP load balancer', '没有 BACKUP 负载均衡器')),
    );
  } else {
    for (const b of backups) {
      const vr = b.vrrp.find((x) => x.instance === vip.instance);
      const why = !b.online
        ? t('its agent is offline', 'agent 离线')
        : !healthy(b, 'nginx')
          ? t('its nginx is down', 'nginx 未运行')
          : b.keepalivedRunning === false
            ? t('its keepalived is not running', 'keepalived 未运行')
            : t(
                `its VRRP state is ${vr?.state ?? 'unknown'}`,
                `VRRP 状态为 ${vr?.state ?? '未知'}`,
              );
      checks.push(
        check(
          'PF-4',
          false,
          t(
            `${b.name} is not a healthy BACKUP: ${why.en}`,
            `${b.name} 不是健康的 BACKUP：${why['zh-CN']}`,
          ),
          b.name,
        ),
      );
    }
  }
  // PF-9: backends for the backend kinds.
  const backends = cluster.nodes.filter((n) => n.role === 'backend');
  if (info.target === 'backend') {
    const up = backends.filter((n) => healthy(n, 'tomcat'));
    const ok = up.length >= 2;
    checks.push(
      check(
        'PF-9',
        ok,
        ok
          ? t(`${up.length} healthy backends`, `${up.length} 个健康后端`)
          : t(
              `a backend drill needs at least 2 healthy backends, there are ${up.length}`,
              `后端演练至少需要 2 个健康后端，当前 ${up.length} 个`,
            ),
      ),
    );
  }
  if (info.target === 'backends' && backends.length === 0)
    checks.push(check('PF-9', false, t('the cluster has no backend', '集群没有后端')));
  // PF-5: every target exists, is online and grants drills.
  const targets = planTargets(cluster, kind, master, options);
  plan.targets = targets;
  if (info.target === 'master' && options.target && master && options.target !== master)
    checks.push(
      check(
        'PF-5',
        false,
        t(
          `${options.target} is not the MASTER (${master} is)`,
          `${options.target} 不是 MASTER（${master} 才是）`,
        ),
        options.target,
      ),
    );
  const involved = [...targets];
  if (options.probeFrom) involved.push(options.probeFrom);
  for (const name of involved) {
    const n = byName.get(name);
    const role = name === options.probeFrom && !targets.includes(name) ? 'probe' : 'target';
    if (!n) {
      checks.push(
        check('PF-5', false, t(`no host ${name} in this cluster`, `集群中没有主机 ${name}`), name),
      );
      continue;
    }
    if (info.target === 'backend' && role === 'target' && n.role !== 'backend')
      checks.push(check('PF-5', false, t(`${name} is not a backend`, `${name} 不是后端`), name));
    const control = input.control(name);
    // An agent that is connected but sent nothing lately (frozen, or its link cut) would not
    // carry out the fault or report it: SA-1 of the cluster view.
    const silentS = staleSeconds(cluster, name);
    const ok = n.online && silentS === undefined && control?.includes('drills') === true;
    const why = !n.online
      ? t('its agent is offline', 'agent 离线')
      : silentS !== undefined
        ? t(
            `its agent has sent nothing for ${silentS} s (frozen or cut off)`,
            `其 agent 已 ${silentS} 秒未发送任何数据（卡死或连接中断）`,
          )
        : control === undefined
          ? t('its agent has not said what it may do', 'agent 未声明其权限')
          : t(
              `it is monitor-only for drills (control: ${control.length ? control.join(', ') : 'none'}); grant "drills" in its agent config`,
              `它对演练为只读监控（control：${control.length ? control.join('、') : '无'}）；请在其 agent 配置中授予 "drills"`,
            );
    checks.push(
      check(
        'PF-5',
        ok,
        ok
          ? t(
              `${name} (${role}) grants drills`,
              `${name}（${role === 'probe' ? '探测' : '目标'}）允许演练`,
            )
          : t(`${name} cannot take part: ${why.en}`, `${name} 无法参与：${why['zh-CN']}`),
        name,
      ),
    );
  }
  if (targets.length === 0)
    checks.push(check('PF-5', false, t('no host to fault', '没有可注入故障的主机')));
  // PF-7: clocks of every agent whose timestamps go into the report.
  const clocked = new Set([...lbs.map((n) => n.name), ...involved]);
  for (const name of clocked) {
    const n = byName.get(name);
    if (!n?.online) continue;
    const off = n.clockOffsetMs;
    const ok = off !== null && Math.abs(off) <= input.clockLimitMs;
    if (!ok)
      checks.push(
        check(
          'PF-7',
          false,
          off === null
            ? t(`${name}: clock offset not measured yet`, `${name}：尚未测得时钟偏差`)
            : t(
                `${name}: clock off by ${off} ms (limit ${input.clockLimitMs} ms)`,
                `${name}：时钟偏差 ${off} ms（上限 ${input.clockLimitMs} ms）`,
              ),
          name,
        ),
      );
  }
  if (!checks.some((c) => c.id === 'PF-7'))
    checks.push(check('PF-7', true, t('clocks within limits', '时钟偏差在允许范围内')));
  return { ok: checks.every((c) => c.ok), checks, plan };
}
