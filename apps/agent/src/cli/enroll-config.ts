import { parseAgentConfig, type AgentConfig } from '@keepwatch/shared';
import { toWsUrl } from '../tls';

/* The agent config `enroll` writes, as a pure function of what the panel and the operator gave. */

export const DEFAULT_CONFIG = '/etc/keepwatch/agent.json';
export const DEFAULT_STATE_DIR = '/var/lib/keepwatch-agent';

export interface EnrolledConfigInput {
  agentId: string;
  credential: string;
  serverUrl: string;
  name: string;
  role: 'lb' | 'backend';
  cluster: string;
  caFile?: string | undefined;
  fingerprint?: string | undefined;
  allowInsecure?: boolean | undefined;
  replicas?: string[] | undefined;
  stateDir?: string | undefined;
}

/**
 * A fresh config, or `existing` (a previous config on this host) with a new identity and
 * server section: re-enrolling keeps the operator's keepalived/nginx/control settings.
 */
export function enrolledConfig(
  input: EnrolledConfigInput,
  existing?: Record<string, unknown>,
): AgentConfig {
  const server: Record<string, unknown> = {
    url: toWsUrl(input.serverUrl),
    token: input.credential,
  };
  if (input.caFile) server['caFile'] = input.caFile;
  if (input.fingerprint) server['fingerprint'] = input.fingerprint;
  if (input.allowInsecure) server['allowInsecure'] = true;
  if (input.replicas && input.replicas.length > 0) server['replicas'] = input.replicas.map(toWsUrl);
  const raw: Record<string, unknown> = {
    stateDir: input.stateDir ?? DEFAULT_STATE_DIR,
    control: [],
    ...existing,
    agentId: input.agentId,
    node: {
      name: input.name,
      role: input.role,
      cluster: { id: input.cluster, name: input.cluster },
    },
    server,
  };
  const parsed = parseAgentConfig(raw);
  if (!parsed.ok) throw new Error(`the enrolled config would be invalid: ${parsed.error}`);
  return parsed.value;
}

/** A node name from the hostname: its first label. */
export function defaultNodeName(hostname: string): string {
  return hostname.split('.')[0] || hostname || 'agent';
}
