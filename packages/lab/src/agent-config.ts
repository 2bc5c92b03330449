import { parseAgentConfig, type AgentConfig } from '@keepwatch/shared';
import type { HostPaths } from './paths';
import type { LabHost, Topology } from './topology';

/*
 * The agent config for one lab host, as a pure function validated against the shared
 * schema, so a lab that writes a config the agent would reject fails here first.
 */

export interface AgentConfigOptions {
  /** ws:// or wss:// base URL of the server; http(s):// is accepted and converted. */
  serverUrl: string;
  token: string;
  control?: ('config' | 'drills')[];
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
    server: { url: toWsUrl(opts.serverUrl), token: opts.token },
    stateDir: paths.agentState,
    control: opts.control ?? [],
  };
  if (host.role === 'lb') {
    raw['keepalived'] = {
      pidFile: paths.keepalivedPid,
      dumpDir: paths.keepalivedTmp,
      fifo: paths.fifo,
      configFile: paths.keepalivedConf,
    };
    raw['nginx'] = {
      configFile: paths.nginxConf,
      pidFile: paths.nginxPid,
      probe: { url: 'http://127.0.0.1/healthz', intervalMs: 500, timeoutMs: 400 },
    };
    raw['logs'] = { keepalived: paths.keepalivedLog, nginx: paths.nginxErrorLog };
  } else {
    raw['tomcat'] = {
      pidFile: paths.tomcatPid,
      probe: { url: `http://${host.ip}:8080/`, intervalMs: 500, timeoutMs: 400 },
    };
  }
  const parsed = parseAgentConfig(raw);
  if (!parsed.ok) throw new Error(`lab agent config for ${host.name} is invalid: ${parsed.error}`);
  return parsed.value;
}
