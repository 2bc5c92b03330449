import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  agentPid,
  startAgentProcess,
  stopAgentProcess,
  writeAgentConfigFile,
  type StartAgentOptions,
} from './agent-control';
import type { AgentConfigOptions } from './agent-config';
import { run, type ExecResult } from './exec';
import type { LabContext, ServiceController, ServiceStatus } from './lab-context';
import { createNetwork, hostIfExists, labNamespaces, nsAddresses } from './netns';
import { defaultBaseDir, findRepoRoot, hostPaths, type HostPaths } from './paths';
import { ensurePrerequisites, which } from './prereqs';
import { StateStore } from './state';
import { keepalivedController } from './svc-keepalived';
import { nginxController } from './svc-nginx';
import { tomcatController } from './svc-tomcat';
import {
  buildTopology,
  hostByName,
  servicesOf,
  validatePrefix,
  type HostName,
  type LabHost,
  type Scheme,
  type ServiceKind,
  type Topology,
  type VrrpInstance,
} from './topology';
import { formatError } from './lab-status';
import { labClusterModel, LAB_CONFIG_FLAVOURS, type LabConfigFlavour } from './lab-model';
import { teardownLab } from './teardown';
import { waitFor } from './wait';

export interface LabOptions {
  prefix?: string;
  /** Default: the running lab's (from its state.json), else 10.77.0. */
  subnet?: string;
  /** Default: the running lab's, else master-backup. */
  scheme?: Scheme;
  /**
   * Which keepalived/nginx configs the lab runs: `default` (the classic tutorial setup) or
   * `keepwatch` (Keepwatch's generated config with the agent's fast path). Default: the
   * running lab's, else `default`.
   */
  config?: LabConfigFlavour;
  /** Default `<repo>/.lab/<prefix>`. */
  baseDir?: string;
  log?: (line: string) => void;
}

export type ServiceAction = 'start' | 'stop' | 'kill' | 'status';

export interface LabStatus {
  prefix: string;
  subnet: string;
  scheme: Scheme;
  config: LabConfigFlavour;
  baseDir: string;
  hostIp: string;
  hostIf: { name: string; present: boolean };
  namespaces: { name: string; present: boolean }[];
  hosts: (Pick<LabHost, 'name' | 'role' | 'ns' | 'ip'> & {
    services: Partial<Record<ServiceKind, ServiceStatus>>;
    agent?: number;
  })[];
  vips: { address: string; instance: string; holders: string[] }[];
}

const READY_TIMEOUT_MS = { nginx: 10_000, keepalived: 5000, tomcat: 60_000, vip: 20_000 };

/** A real nginx + keepalived + Tomcat HA lab in network namespaces on this machine. */
export class Lab {
  readonly prefix: string;
  readonly baseDir: string;
  readonly hosts: readonly LabHost[];
  readonly vips: readonly string[];
  readonly hostIp: string;
  readonly topology: Topology;
  readonly config: LabConfigFlavour;
  private readonly ctx: LabContext;

  constructor(opts: LabOptions = {}) {
    const prefix = opts.prefix ?? 'kw';
    validatePrefix(prefix);
    this.baseDir = resolve(opts.baseDir ?? defaultBaseDir(prefix));
    // `pnpm lab status` after `pnpm lab up --subnet X --scheme Y` must mean the same lab.
    const running = new StateStore(this.baseDir).read();
    this.topology = buildTopology({
      prefix,
      subnet: opts.subnet ?? running?.subnet ?? '10.77.0',
      scheme: opts.scheme ?? (running?.scheme as Scheme | undefined) ?? 'master-backup',
    });
    this.prefix = this.topology.prefix;
    this.hosts = this.topology.hosts;
    this.vips = this.topology.vips;
    this.hostIp = this.topology.hostIp;
    const flavour = opts.config ?? running?.config ?? 'default';
    if (!(LAB_CONFIG_FLAVOURS as readonly string[]).includes(flavour))
      throw new Error(`unknown lab config ${JSON.stringify(flavour)}: default or keepwatch`);
    this.config = flavour as LabConfigFlavour;
    const baseDir = this.baseDir;
    this.ctx = {
      topo: this.topology,
      model: labClusterModel(this.topology, {
        flavour: this.config,
        curl: which('curl') ?? '/usr/bin/curl',
        paths: (host) => hostPaths(baseDir, host),
      }),
      baseDir,
      repoRoot: findRepoRoot(),
      state: new StateStore(baseDir),
      log: opts.log ?? (() => undefined),
      paths: (host: LabHost): HostPaths => hostPaths(baseDir, host.name),
    };
  }

  private controller(host: LabHost, svc: ServiceKind): ServiceController {
    if (!servicesOf(host.role).includes(svc)) {
      throw new Error(
        `${host.name} (${host.role}) runs ${servicesOf(host.role).join(' and ')}, not ${svc}`,
      );
    }
    switch (svc) {
      case 'keepalived':
        return keepalivedController(this.ctx, host);
      case 'nginx':
        return nginxController(this.ctx, host);
      case 'tomcat':
        return tomcatController(this.ctx, host);
    }
  }

  /** Builds the lab and waits until every service answers and the MASTER holds its VIP. */
  async up(opts: { signal?: AbortSignal } = {}): Promise<LabStatus> {
    const sig = opts.signal;
    await ensurePrerequisites(this.ctx.log);
    if (
      (await labNamespaces(this.prefix)).length > 0 ||
      existsSync(this.baseDir) ||
      (await hostIfExists(this.topology.hostIf))
    ) {
      this.ctx.log(`leftovers of lab ${this.prefix} found: tearing them down first`);
      await this.down();
    }
    try {
      await this.build(sig);
    } catch (err) {
      const why = sig?.aborted ? `aborted (${formatError(sig.reason)})` : formatError(err);
      this.ctx.log(`up failed: ${why}; tearing the lab down`);
      await this.down();
      throw sig?.aborted ? new Error(`up ${why}; the lab was torn down`) : err;
    }
    return this.status();
  }

  private async build(sig: AbortSignal | undefined): Promise<void> {
    const t = this.topology;
    for (const h of this.hosts)
      mkdirSync(hostPaths(this.baseDir, h.name).dir, { recursive: true, mode: 0o755 });
    this.ctx.state.write({
      version: 1,
      prefix: t.prefix,
      subnet: t.subnet,
      scheme: t.scheme,
      config: this.config,
      hostIf: t.hostIf,
      createdAt: new Date().toISOString(),
      processes: {},
    });
    await createNetwork(t);
    this.ctx.log(
      `network ${t.subnet}.0/24 up: ${t.bridgeNs} + ${this.hosts.map((h) => h.ns).join(' ')}; host ${t.hostIf} ${t.hostIp}`,
    );
    sig?.throwIfAborted();
    const backends = this.hosts.filter((h) => h.role === 'backend');
    const lbs = this.hosts.filter((h) => h.role === 'lb');
    // Tomcat (~3 s to answer) and keepalived (3-4 adverts before MASTER) are the slow
    // parts, so they start side by side; nginx before keepalived so the check script
    // passes from keepalived's first run.
    await Promise.all([
      ...backends.map((h) => this.controller(h, 'tomcat').start()),
      (async () => {
        await Promise.all(lbs.map((h) => this.controller(h, 'nginx').start()));
        await Promise.all(lbs.map((h) => this.controller(h, 'keepalived').start()));
      })(),
    ]);
    sig?.throwIfAborted();
    await Promise.all([
      ...lbs.map((h) => this.controller(h, 'nginx').ready(READY_TIMEOUT_MS.nginx, sig)),
      ...lbs.map((h) => this.controller(h, 'keepalived').ready(READY_TIMEOUT_MS.keepalived, sig)),
      ...backends.map((h) => this.controller(h, 'tomcat').ready(READY_TIMEOUT_MS.tomcat, sig)),
      ...t.vrrp.map((vi) => this.waitForMaster(vi, sig)),
    ]);
    this.ctx.log(
      `lab ${t.prefix} is up: ${t.vrrp.map((vi) => `${vi.vip} on ${this.expectedMaster(vi)}`).join(', ')}`,
    );
  }

  private expectedMaster(vi: VrrpInstance): string {
    return vi.priorities.lb1 >= vi.priorities.lb2 ? 'lb1' : 'lb2';
  }

  private async waitForMaster(vi: VrrpInstance, sig: AbortSignal | undefined): Promise<void> {
    const master = this.expectedMaster(vi);
    await waitFor(
      `${vi.vip} (${vi.name}) on ${master}`,
      async () => {
        const holders = await this.vipHolders(vi.vip);
        return holders.length === 1 && holders[0] === master;
      },
      { timeoutMs: READY_TIMEOUT_MS.vip, intervalMs: 100, signal: sig },
    );
  }

  /** Removes every namespace, process and file of this prefix, also after a crash. Idempotent. */
  async down(): Promise<void> {
    await teardownLab({
      prefix: this.prefix,
      hostIf: this.topology.hostIf,
      baseDir: this.baseDir,
      state: this.ctx.state,
      log: this.ctx.log,
    });
  }

  async status(): Promise<LabStatus> {
    const t = this.topology;
    const present = new Set(await labNamespaces(this.prefix));
    const hosts: LabStatus['hosts'] = [];
    for (const h of this.hosts) {
      const services: Partial<Record<ServiceKind, ServiceStatus>> = {};
      for (const svc of servicesOf(h.role)) services[svc] = await this.controller(h, svc).status();
      const agent = agentPid(this.ctx, h);
      hosts.push({
        name: h.name,
        role: h.role,
        ns: h.ns,
        ip: h.ip,
        services,
        ...(agent ? { agent } : {}),
      });
    }
    const vips = [];
    for (const vi of t.vrrp)
      vips.push({ address: vi.vip, instance: vi.name, holders: await this.vipHolders(vi.vip) });
    return {
      prefix: t.prefix,
      subnet: t.subnet,
      scheme: t.scheme,
      config: this.config,
      baseDir: this.baseDir,
      hostIp: t.hostIp,
      hostIf: { name: t.hostIf, present: await hostIfExists(t.hostIf) },
      namespaces: [t.bridgeNs, ...this.hosts.map((h) => h.ns)].map((name) => ({
        name,
        present: present.has(name),
      })),
      hosts,
      vips,
    };
  }

  /** Host names whose kernel has the VIP on eth0 right now (two = split brain). */
  async vipHolders(vip: string = this.vips[0] ?? ''): Promise<string[]> {
    const present = new Set(await labNamespaces(this.prefix));
    const found = await Promise.all(
      this.hosts.map(async (h) =>
        present.has(h.ns) && (await nsAddresses(h.ns)).includes(vip) ? h.name : undefined,
      ),
    );
    return found.filter((n): n is HostName => n !== undefined);
  }

  async service(hostName: string, svc: ServiceKind, action: ServiceAction): Promise<ServiceStatus> {
    const host = hostByName(this.topology, hostName);
    const c = this.controller(host, svc);
    switch (action) {
      case 'start':
        if (!(await labNamespaces(this.prefix)).includes(host.ns)) {
          throw new Error(
            `lab ${this.prefix} is not up (no namespace ${host.ns}): run \`pnpm lab up\``,
          );
        }
        await c.start();
        await c.ready(svc === 'tomcat' ? READY_TIMEOUT_MS.tomcat : READY_TIMEOUT_MS.nginx);
        break;
      case 'stop':
        await c.stop();
        break;
      case 'kill':
        await c.kill();
        break;
      case 'status':
        break;
    }
    return c.status();
  }

  /** Runs argv inside the host's namespace and captures its output. */
  exec(hostName: string, argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const h = hostByName(this.topology, hostName);
    return run(['ip', 'netns', 'exec', h.ns, ...argv], { timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  /** Writes `<base>/<host>/agent.json`, a validated AgentConfig; returns its path. */
  writeAgentConfig(hostName: string, opts: AgentConfigOptions): string {
    return writeAgentConfigFile(this.ctx, hostByName(this.topology, hostName), opts);
  }

  startAgent(hostName: string, opts: StartAgentOptions): Promise<number> {
    return startAgentProcess(this.ctx, hostByName(this.topology, hostName), opts);
  }

  stopAgent(hostName: string, signal?: NodeJS.Signals): Promise<void> {
    return stopAgentProcess(this.ctx, hostByName(this.topology, hostName), signal);
  }
}
