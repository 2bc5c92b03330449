import type {
  DrillAdvice,
  DrillBound,
  DrillKind,
  DrillText,
  KeepalivedConfig,
  KeepalivedInstance,
} from '@keepwatch/shared';

/*
 * The theoretical downtime bound from the live keepalived config (SPEC.md BO-*), and the
 * tuning advice that follows from it (AD-*). Figures as measured in the lab
 * (shared/reference/keepalived-lab.md §6): skew = (256 − backup priority) / 256 × advert,
 * master-down = 3 × advert + skew; a check script is noticed after between (fall − 1) and
 * fall intervals; a BACKUP that stops hearing the MASTER waits its master-down time from the
 * last advert it accepted, i.e. between master-down − advert and master-down after the fault.
 */

const t = (en: string, zh: string): DrillText => ({ en, 'zh-CN': zh });

export interface BoundInput {
  kind: DrillKind;
  master: KeepalivedConfig | undefined;
  backup: KeepalivedConfig | undefined;
  instance: string | undefined;
  probeTimeoutMs: number;
}

function instanceOf(
  c: KeepalivedConfig | undefined,
  name: string | undefined,
): KeepalivedInstance | undefined {
  return c?.instances.find((i) => i.name === name) ?? c?.instances[0];
}

interface Timing {
  version: number;
  advertMs: number;
  backupPriority: number;
  skewMs: number;
  masterDownMs: number;
  checkScript: string | null;
  checkIntervalMs: number | null;
  checkFall: number | null;
  checkTimeoutMs: number | null;
  trackFile: boolean;
  higherPrioSendAdvert: boolean;
}

function timing(input: BoundInput): Timing | undefined {
  const mi = instanceOf(input.master, input.instance);
  const bi = instanceOf(input.backup, input.instance);
  if (!mi || !bi) return undefined;
  const version = bi.version ?? Number(input.backup?.globalDefs.vrrp_version ?? 2);
  const advertMs = bi.advertInt * 1000;
  const skewMs = ((256 - bi.priority) / 256) * advertMs;
  const trackName = mi.trackScripts[0]?.name;
  const script = input.master?.scripts.find((s) => s.name === trackName);
  return {
    version,
    advertMs,
    backupPriority: bi.priority,
    skewMs,
    masterDownMs: 3 * advertMs + skewMs,
    checkScript: script?.name ?? null,
    checkIntervalMs: script ? (script.interval ?? 1) * 1000 : null,
    checkFall: script ? (script.fall ?? 1) : null,
    checkTimeoutMs: script ? (script.timeout ?? script.interval ?? 1) * 1000 : null,
    trackFile: mi.trackFiles.length > 0,
    higherPrioSendAdvert: 'vrrp_higher_prio_send_advert' in (input.master?.globalDefs ?? {}),
  };
}

type Part = DrillBound['parts'][number];

const r1 = (n: number): number => Math.round(n);

function parts(
  kind: DrillKind,
  tm: Timing,
): { low: number; high: number; mid: number; parts: Part[] } | null {
  const detection = (hang: boolean): Part[] => {
    if (tm.trackFile)
      return [
        {
          name: 'detection',
          ms: 100,
          text: t(
            'track_file written by the agent (~100 ms)',
            'agent 写入 track_file（约 100 ms）',
          ),
        },
      ];
    if (tm.checkIntervalMs === null || tm.checkFall === null) return [];
    const extra = hang ? (tm.checkTimeoutMs ?? 0) : 0;
    return [
      {
        name: 'detection',
        ms: (tm.checkFall - 0.5) * tm.checkIntervalMs + extra,
        text: t(
          `check script ${tm.checkScript}: interval ${tm.checkIntervalMs / 1000} s × fall ${tm.checkFall}${hang ? ` (+ its ${extra / 1000} s timeout)` : ''}`,
          `检查脚本 ${tm.checkScript}：间隔 ${tm.checkIntervalMs / 1000} 秒 × fall ${tm.checkFall}${hang ? `（+ 超时 ${extra / 1000} 秒）` : ''}`,
        ),
      },
    ];
  };
  const masterDown: Part = {
    name: 'master-down',
    ms: tm.masterDownMs - tm.advertMs / 2,
    text: t(
      `BACKUP's master-down timer: 3 × ${tm.advertMs / 1000} s + skew ${r1(tm.skewMs)} ms, from the last accepted advert`,
      `BACKUP 的 master-down 计时：3 × ${tm.advertMs / 1000} 秒 + skew ${r1(tm.skewMs)} ms，自最后一个被接受的通告起`,
    ),
  };
  switch (kind) {
    case 'keepalived-stop':
      return {
        low: tm.skewMs,
        high: tm.skewMs + tm.advertMs / 4,
        mid: tm.skewMs,
        parts: [
          {
            name: 'skew',
            ms: tm.skewMs,
            text: t(
              `priority-0 advert, then the BACKUP's skew (256 − ${tm.backupPriority}) / 256 × ${tm.advertMs / 1000} s`,
              `优先级 0 通告后，BACKUP 等待 skew (256 − ${tm.backupPriority}) / 256 × ${tm.advertMs / 1000} 秒`,
            ),
          },
        ],
      };
    case 'keepalived-crash':
    case 'link-down':
      return {
        low: tm.masterDownMs - tm.advertMs,
        high: tm.masterDownMs,
        mid: tm.masterDownMs - tm.advertMs / 2,
        parts: [masterDown],
      };
    case 'nginx-outage':
    case 'nginx-hang': {
      const d = detection(kind === 'nginx-hang');
      const det = d[0]?.ms ?? 0;
      const fall = tm.checkFall ?? 1;
      const iv = tm.checkIntervalMs ?? 0;
      const hangExtra = kind === 'nginx-hang' ? (tm.checkTimeoutMs ?? 0) : 0;
      const low = tm.trackFile ? 0 : (fall - 1) * iv;
      const high = tm.trackFile ? 200 : fall * iv + hangExtra;
      return {
        low: low + tm.masterDownMs - tm.advertMs,
        high: high + tm.masterDownMs,
        mid: det + masterDown.ms,
        parts: [...d, masterDown],
      };
    }
    case 'backend-outage':
    case 'backend-blackhole':
    case 'all-backends-down':
    case 'vrrp-partition':
      return null;
  }
}

/** BO-1…BO-3: the bound, or null parts when the config is not known. */
export function computeBound(input: BoundInput): DrillBound | null {
  const tm = timing(input);
  if (!tm) return null;
  const p = parts(input.kind, tm);
  return {
    expectedMs: p ? r1(p.mid) : null,
    lowMs: p ? r1(p.low) : null,
    // BO-2: the client resolves an outage to one probe timeout at most.
    highMs: p ? r1(p.high + input.probeTimeoutMs) : null,
    parts: p?.parts.map((x) => ({ ...x, ms: r1(x.ms) })) ?? [],
    config: {
      vrrpVersion: tm.version,
      advertIntMs: tm.advertMs,
      backupPriority: tm.backupPriority,
      skewMs: r1(tm.skewMs),
      masterDownMs: r1(tm.masterDownMs),
      checkScript: tm.checkScript,
      checkIntervalMs: tm.checkIntervalMs,
      checkFall: tm.checkFall,
      higherPrioSendAdvert: tm.higherPrioSendAdvert,
      trackFile: tm.trackFile,
    },
  };
}

export interface AdviceInput {
  kind: DrillKind;
  bound: DrillBound | null;
  failedRequests: number;
  splitBrainSeen: boolean;
}

/** AD-1…AD-6: concrete changes with their expected effect. */
export function advise(a: AdviceInput): DrillAdvice[] {
  const out: DrillAdvice[] = [];
  const c = a.bound?.config;
  const failover = [
    'nginx-outage',
    'nginx-hang',
    'keepalived-stop',
    'keepalived-crash',
    'link-down',
  ].includes(a.kind);
  if (c && failover && c.advertIntMs !== null && c.advertIntMs >= 1000) {
    // AD-1: VRRPv3 with 0.1 s adverts shrinks the master-down time tenfold.
    const advert = 100;
    const skew = ((256 - (c.backupPriority ?? 100)) / 256) * advert;
    const md = 3 * advert + skew;
    const saved = (c.masterDownMs ?? 0) - md;
    out.push({
      id: 'vrrp3-subsecond',
      text: t(
        'Use VRRPv3 with sub-second adverts: vrrp_version 3 and advert_int 0.1 on both load balancers.',
        '使用 VRRPv3 亚秒级通告：两台负载均衡器上设置 vrrp_version 3 与 advert_int 0.1。',
      ),
      effect: t(
        `master-down time ${c.masterDownMs} ms → ${Math.round(md)} ms (about ${Math.round(saved)} ms less downtime); a graceful stop costs ~${Math.round(skew)} ms instead of ${c.skewMs} ms.`,
        `master-down 时间 ${c.masterDownMs} ms → ${Math.round(md)} ms（中断约减少 ${Math.round(saved)} ms）；正常停止只需约 ${Math.round(skew)} ms，而非 ${c.skewMs} ms。`,
      ),
      ...(a.bound?.expectedMs != null && {
        expectedMs: Math.max(0, Math.round(a.bound.expectedMs - saved)),
      }),
    });
  }
  if (c && (a.kind === 'nginx-outage' || a.kind === 'nginx-hang')) {
    if (!c.trackFile) {
      // AD-2: the fast failover path (agent-written track_file).
      const det = a.bound?.parts.find((p) => p.name === 'detection')?.ms ?? 0;
      out.push({
        id: 'track-file',
        text: t(
          'Turn on the fast failover path: a track_file the Keepwatch agent writes when nginx fails its ≤ 100 ms check (keepalived reacts by inotify), the check script kept as the fallback.',
          '启用快速切换路径：由 Keepwatch agent 在 nginx 未通过 ≤ 100 ms 检查时写入 track_file（keepalived 通过 inotify 立即响应），保留检查脚本作为后备。',
        ),
        effect: t(
          `detection ${Math.round(det)} ms → ~100 ms.`,
          `故障发现时间 ${Math.round(det)} ms → 约 100 ms。`,
        ),
        ...(a.bound?.expectedMs != null && {
          expectedMs: Math.round(a.bound.expectedMs - det + 100),
        }),
      });
    }
    if ((c.checkFall ?? 1) > 1) {
      // AD-3
      out.push({
        id: 'check-interval',
        text: t(
          `Lower the check script's fall from ${c.checkFall} to 1 (interval cannot go below 1 s).`,
          `将检查脚本的 fall 从 ${c.checkFall} 降为 1（interval 不能低于 1 秒）。`,
        ),
        effect: t(
          `about ${((c.checkFall ?? 1) - 1) * (c.checkIntervalMs ?? 1000)} ms earlier detection, at the price of failing over on a single failed check.`,
          `故障发现提前约 ${((c.checkFall ?? 1) - 1) * (c.checkIntervalMs ?? 1000)} ms，代价是单次检查失败即切换。`,
        ),
      });
    }
  }
  if (a.kind === 'backend-outage' && a.failedRequests > 0)
    out.push({
      id: 'proxy-next-upstream',
      text: t(
        'Let nginx retry the next upstream: proxy_next_upstream error timeout http_502 http_503 (and keep more than one server in the upstream).',
        '让 nginx 重试下一个上游：proxy_next_upstream error timeout http_502 http_503（并保证 upstream 中有多个后端）。',
      ),
      effect: t('a refused backend costs clients nothing.', '后端拒绝连接时客户端无感知。'),
      expectedMs: 0,
    });
  if (a.kind === 'backend-blackhole' && a.failedRequests > 0)
    out.push({
      id: 'proxy-connect-timeout',
      text: t(
        'Set proxy_connect_timeout 100ms–1s (default 60 s) so nginx gives up on a black-holed backend and marks it down.',
        '设置 proxy_connect_timeout 为 100ms–1s（默认 60 秒），使 nginx 及时放弃黑洞后端并将其标记为下线。',
      ),
      effect: t(
        `measured in the lab: 0 failed requests instead of ${a.failedRequests}.`,
        `实验室实测：失败请求由 ${a.failedRequests} 个降为 0。`,
      ),
      expectedMs: 0,
    });
  if (c && !c.higherPrioSendAdvert && (a.kind === 'vrrp-partition' || a.splitBrainSeen))
    out.push({
      id: 'higher-prio-send-advert',
      text: t(
        'Add vrrp_higher_prio_send_advert to global_defs on both load balancers.',
        '在两台负载均衡器的 global_defs 中加入 vrrp_higher_prio_send_advert。',
      ),
      effect: t(
        'when a split brain heals, the lower node sends one last advert so the rightful MASTER re-sends GARP: in the lab 0 failed requests instead of a ~38 s black hole in 3 of 6 heals.',
        '脑裂恢复时，低优先级节点会再发一次通告，使正当 MASTER 重新发送 GARP：实验室中由 6 次有 3 次约 38 秒黑洞变为 0 失败。',
      ),
    });
  return out;
}
