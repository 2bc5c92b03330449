import type { IngestRepository } from '../../storage/ingest-repository';
import type { AgentRegistry } from '../agents/agent-registry';
import type { AgentCredentials } from './agent-credentials-plugin';
import type { AgentInfo } from '@keepwatch/shared';

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Agents that said hello, plus enrolled ones that never connected, newest first. */
export async function listAgents(
  agents: Pick<IngestRepository, 'described'>,
  creds: Pick<AgentCredentials, 'store'>,
  /** The agent socket's registry (modules/agents, OR-5): the one answer to "online". */
  online: Pick<AgentRegistry, 'isOnline'>,
): Promise<AgentInfo[]> {
  // The agents' rows are the agent socket's (app.repos.ingest); credentials app.repos.enrollment's.
  const rows = await agents.described();
  const byId = new Map((await creds.store.allCredentials()).map((c) => [c.agentId, c]));
  const out: AgentInfo[] = rows.map((r) => {
    const facts = parseObject(r.facts);
    const cred = byId.get(r.agentId);
    byId.delete(r.agentId);
    return {
      agentId: r.agentId,
      nodeName: r.nodeName,
      role: r.role,
      clusterId: r.clusterId,
      hostname: str(facts['hostname']) ?? cred?.hostname ?? null,
      version: str(facts['agentVersion']),
      facts,
      capabilities: parseObject(r.capabilities),
      lastSeen: r.lastSeen,
      enrolledAt: cred?.hasCredential ? cred.enrolledAt : null,
      enrolled: cred?.hasCredential ?? false,
      // A revoke closes the socket and leaves the registry at once (OR-4): no revokedAt check.
      online: online.isOnline(r.agentId),
      revoked: cred?.revokedAt != null,
    };
  });
  for (const c of byId.values()) {
    if (!c.hasCredential) continue;
    out.push({
      agentId: c.agentId,
      nodeName: null,
      role: null,
      clusterId: null,
      hostname: c.hostname,
      version: null,
      facts: {},
      capabilities: {},
      lastSeen: null,
      enrolledAt: c.enrolledAt,
      enrolled: true,
      online: false,
      revoked: c.revokedAt != null,
    });
  }
  return out.sort((a, b) => (b.lastSeen ?? b.enrolledAt ?? 0) - (a.lastSeen ?? a.enrolledAt ?? 0));
}
