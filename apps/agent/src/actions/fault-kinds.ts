import type { AgentConfig, DrillFaultKind, DrillFaultParams, ServiceName } from '@keepwatch/shared';
import { processTree, readPidFile, signalRef, waitGone, type ProcRef } from './proc-signals';
import type { ServiceManager } from './service-manager';
import type { Steps } from './steps';

/*
 * How each drill fault is done and undone on this host. Every fault here can be undone by
 * the agent alone (the dead-man switch), so each keeps what its undo needs in `detail`,
 * which is persisted with the fault (the frozen pids, the interface, the port).
 *
 *   kind               inject                                   undo
 *   stop-nginx         service manager stop nginx               start nginx
 *   stop-keepalived    service manager stop keepalived          start keepalived
 *   stop-backend       service manager stop tomcat              start tomcat
 *   kill-keepalived    SIGSTOP parent, SIGKILL children+parent  start keepalived
 *   freeze-nginx       SIGSTOP master and workers               SIGCONT the same processes
 *   blackhole-backend  nft: drop tcp dport P not from lo        delete the nft table
 *   link-down          ip link set dev IF down                  ip link set dev IF up
 *   block-vrrp         nft: drop incoming IP protocol 112       delete the nft table
 */

export interface FaultDetail {
  procs?: ProcRef[];
  iface?: string;
  port?: number;
}

export interface FaultEnv {
  config: AgentConfig;
  services: ServiceManager | undefined;
  steps: Steps;
}

export interface FaultImpl {
  /** Why this host cannot do (or could not undo) the fault, before anything is touched. */
  check(env: FaultEnv, p: DrillFaultParams): string | undefined;
  /** Applies it; the detail its undo needs, or false when it failed. */
  inject(env: FaultEnv, p: DrillFaultParams): Promise<FaultDetail | false>;
  undo(env: FaultEnv, detail: FaultDetail): Promise<boolean>;
}

const VRRP_TABLE = 'keepwatch_drill';
const BLACKHOLE_TABLE = 'keepwatch_drill_blackhole';

/** Drops incoming VRRP (IP protocol 112): each side stops hearing the other's adverts. */
export const BLOCK_VRRP_RULESET = nftTable(VRRP_TABLE, 'ip protocol 112 counter drop');

/** Declaring, deleting and re-adding the table makes the script idempotent. */
function nftTable(table: string, rule: string): string {
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    `    ${rule}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Other hosts' packets to the port are dropped: their connects hang (no RST, no ICMP). */
export function blackholeRuleset(port: number): string {
  return nftTable(BLACKHOLE_TABLE, `iifname != "lo" tcp dport ${port} counter drop`);
}

async function deleteTable(steps: Steps, step: string, table: string): Promise<boolean> {
  const r = await steps.run(step, ['nft', 'delete', 'table', 'inet', table], {
    timeoutMs: 10_000,
  });
  // Already gone counts as restored.
  return r.ok || /No such file or directory/.test(r.output ?? '');
}

function serviceFault(service: ServiceName): FaultImpl {
  return {
    check: (env, p) =>
      env.services ? undefined : `no serviceManager in this agent's config: cannot ${p.fault}`,
    inject: async (env) => ((await env.services?.stop(service, env.steps)) ? {} : false),
    undo: async (env) => (await env.services?.start(service, env.steps)) ?? false,
  };
}

const killKeepalived: FaultImpl = {
  check(env) {
    if (!env.config.keepalived) return 'no keepalived in this agent config: nothing to crash';
    if (!env.services)
      return "no serviceManager in this agent's config: could not restart keepalived";
    return undefined;
  },
  async inject(env) {
    const pidFile = env.config.keepalived?.pidFile ?? '';
    const parent = readPidFile(pidFile);
    const tree = parent === undefined ? [] : processTree(parent);
    const [top, ...children] = tree;
    let left: ProcRef[] = tree;
    const step = await env.steps.task('SIGKILL keepalived', async () => {
      if (!top) throw new Error(`keepalived is not running (pid file ${pidFile})`);
      // Parent stopped first so it cannot respawn a VRRP child between the kills; killing
      // the parent alone would let the child clean up like a graceful stop (lab, §6).
      signalRef(top, 'SIGSTOP');
      for (const c of children) signalRef(c, 'SIGKILL');
      signalRef(top, 'SIGKILL');
      left = await waitGone(tree, 3000);
      if (left.length > 0)
        throw new Error(`pids ${left.map((r) => r.pid).join(',')} survived SIGKILL`);
      return `killed ${tree.map((r) => r.pid).join(',')} (parent ${top.pid})`;
    });
    return step.ok ? {} : false;
  },
  undo: async (env) => (await env.services?.start('keepalived', env.steps)) ?? false,
};

const freezeNginx: FaultImpl = {
  check: (env) =>
    env.config.nginx?.pidFile
      ? undefined
      : 'no nginx.pidFile in this agent config: cannot find nginx to freeze',
  async inject(env) {
    const pidFile = env.config.nginx?.pidFile ?? '';
    const master = readPidFile(pidFile);
    const tree = master === undefined ? [] : processTree(master);
    const step = await env.steps.task('SIGSTOP nginx', () => {
      if (tree.length === 0) throw new Error(`nginx is not running (pid file ${pidFile})`);
      const stopped = tree.filter((r) => signalRef(r, 'SIGSTOP'));
      return Promise.resolve(`stopped ${stopped.map((r) => r.pid).join(',')}`);
    });
    if (!step.ok) return false;
    return { procs: tree };
  },
  async undo(env, detail) {
    const step = await env.steps.task('SIGCONT nginx', () => {
      // A process that is gone meanwhile has nothing left to continue.
      const resumed = (detail.procs ?? []).filter((r) => signalRef(r, 'SIGCONT'));
      return Promise.resolve(`continued ${resumed.map((r) => r.pid).join(',') || 'nothing'}`);
    });
    return step.ok;
  },
};

function backendPort(env: FaultEnv, p: DrillFaultParams): number | undefined {
  if (p.port !== undefined) return p.port;
  const url = env.config.tomcat?.probe.url;
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

const blackholeBackend: FaultImpl = {
  check: (env, p) =>
    backendPort(env, p) === undefined
      ? 'no port given and no tomcat probe in this agent config: which port to black-hole?'
      : undefined,
  async inject(env, p) {
    const port = backendPort(env, p) ?? 0;
    const r = await env.steps.run(`black-hole tcp ${port} (nft)`, ['nft', '-f', '-'], {
      input: blackholeRuleset(port),
      timeoutMs: 10_000,
    });
    return r.ok ? { port } : false;
  },
  undo: (env) => deleteTable(env.steps, 'remove black hole (nft)', BLACKHOLE_TABLE),
};

const linkDown: FaultImpl = {
  check: (_env, p) =>
    p.interface ? undefined : 'link-down needs the interface to take down (params.interface)',
  async inject(env, p) {
    const iface = p.interface ?? '';
    const exists = await env.steps.run(`find ${iface}`, ['ip', '-o', 'link', 'show', 'dev', iface]);
    if (!exists.ok) return false;
    const r = await env.steps.run(`link ${iface} down`, [
      'ip',
      'link',
      'set',
      'dev',
      iface,
      'down',
    ]);
    return r.ok ? { iface } : false;
  },
  async undo(env, detail) {
    const iface = detail.iface ?? '';
    return (await env.steps.run(`link ${iface} up`, ['ip', 'link', 'set', 'dev', iface, 'up'])).ok;
  },
};

const blockVrrp: FaultImpl = {
  check: () => undefined,
  async inject(env) {
    const r = await env.steps.run('block vrrp (nft)', ['nft', '-f', '-'], {
      input: BLOCK_VRRP_RULESET,
      timeoutMs: 10_000,
    });
    return r.ok ? {} : false;
  },
  undo: (env) => deleteTable(env.steps, 'unblock vrrp (nft)', VRRP_TABLE),
};

export const FAULTS: Record<DrillFaultKind, FaultImpl> = {
  'stop-nginx': serviceFault('nginx'),
  'stop-keepalived': serviceFault('keepalived'),
  'stop-backend': serviceFault('tomcat'),
  'kill-keepalived': killKeepalived,
  'freeze-nginx': freezeNginx,
  'blackhole-backend': blackholeBackend,
  'link-down': linkDown,
  'block-vrrp': blockVrrp,
};
