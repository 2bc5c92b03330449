import { dirname, join } from 'node:path';
import { parseAgentConfig, type AgentConfig } from '@keepwatch/shared';
import { findRepoRoot, type HostPaths } from './paths';
import { servicesOf, type LabHost, type ServiceKind, type Topology } from './topology';

/*
 * The agent config for one lab host, as a pure function validated against the shared
 * schema, so a lab that writes a config the agent would reject fails here first.
 */

export interface AgentConfigOptions {
  /** ws:// or wss:// base URL of the server; http(s):// is accepted and converted. */
  serverUrl: string;
  token: string;
  /** Other server replicas to move to when `serverUrl` is down (the agent's `server.replicas`). */
  replicas?: string[];
  control?: ('config' | 'drills')[];
  /**
   * argv prefix of the lab CLI, for the agent's serviceManager commands (drills stop and
   * start services through the lab's own process control). Default: node + tsx + cli.ts.
   */
  labCommand?: string[];
}

function defaultLabCommand(): string[] {
  return [
    process.execPath,
    '--import',
    'tsx',
    join(findRepoRoot(), 'packages', 'lab', 'src', 'cli.ts'),
  ];
}

const PID_FILE: Record<ServiceKind, (p: HostPaths) => string> = {
  nginx: (p) => p.nginxPid,
  keepalived: (p) => p.keepalivedPid,
  tomcat: (p) => p.tomcatPid,
};

/**
 * Start: `<lab cli> --prefix P --base-dir D service HOST SVC start` (renders the config,
 * clears leftovers, waits until the service answers). Stop: SIGTERM to the daemon's pid
 * file with pkill, at once: the lab CLI needs most of a second to start, and a drill places
 * its fault on the timeline at the moment the stop command starts.
 */
function serviceCommands(
  topo: Topology,
  host: LabHost,
  paths: HostPaths,
  cli: string[],
): Record<string, unknown> {
  const commands: Record<string, { start: string[]; stop: string[] }> = {};
  const base = [
    ...cli,
    '--prefix',
    topo.prefix,
    '--base-dir',
    dirname(paths.dir),
    'service',
    host.name,
  ];
  for (const svc of servicesOf(host.role)) {
    commands[svc] = {
      start: [...base, svc, 'start'],
      stop: ['pkill', '-TERM', '-F', PID_FILE[svc](paths)],
    };
  }
  return { kind: 'commands', commands };
}

export function toWsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

export function buildAgentConfig(
  topo: Topology,
  host: LabHost,
  paths: HostPaths,
  opts: AgentConfigOptions,
): AgentConfig {
  const raw: Record<string, unknown> = {
    agentId: `${topo.prefix}-${host.name}`,
    node: {
      name: host.name,
      role: host.role,
      cluster: { id: topo.prefix, name: `Lab (${topo.prefix})` },
    },
    // Lab panels listen on plain ws:// at <subnet>.1; the agent refuses that off loopback
    // unless told this is on purpose.
    server: {
      url: toWsUrl(opts.serverUrl),
      ...(opts.replicas && { replicas: opts.replicas.map(toWsUrl) }),
      token: opts.token,
      allowInsecure: true,
    },
    stateDir: paths.agentState,
    control: opts.control ?? [],
    serviceManager: serviceCommands(topo, host, paths, opts.labCommand ?? defaultLabCommand()),
  };
  if (host.role === 'lb') {
    raw['keepalived'] = {
      pidFile: paths.keepalivedPid,
      dumpDir: paths.keepalivedTmp,
      fifo: paths.fifo,
      configFile: paths.keepalivedConf,
    };
    // Probed every 1 s (ARCHITECTURE: "interval, ≤ 1 s"): at 500 ms the probe was about a
    // third of an idle agent's CPU (pnpm bench agent: 1.3 % -> 1.0 % of one core).
    raw['nginx'] = {
      configFile: paths.nginxConf,
      pidFile: paths.nginxPid,
      probe: { url: 'http://127.0.0.1/healthz', intervalMs: 1000, timeoutMs: 400 },
      // Written every time; keepalived reads it only with --config keepwatch (track_file).
      fastPath: { file: paths.fastPathFile, intervalMs: 100 },
    };
    raw['logs'] = { keepalived: paths.keepalivedLog, nginx: paths.nginxErrorLog };
  } else {
    raw['tomcat'] = {
      pidFile: paths.tomcatPid,
      probe: { url: `http://${host.ip}:8080/`, intervalMs: 500, timeoutMs: 400 },
    };
    raw['logs'] = { tomcat: paths.tomcatLog };
  }
  const parsed = parseAgentConfig(raw);
  if (!parsed.ok) throw new Error(`lab agent config for ${host.name} is invalid: ${parsed.error}`);
  return parsed.value;
}
