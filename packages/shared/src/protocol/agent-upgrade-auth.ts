/*
 * The agent's credential on its socket's upgrade request: `Authorization: Basic
 * base64(agentId:token)`. The server checks it before the upgrade (a caller without any
 * agent credential never gets a socket) and the hello must then name the same agent.
 */

export interface AgentUpgradeCredential {
  agentId: string;
  token: string;
}

/** The Authorization header value an agent sends when it opens /api/v1/agent/ws. */
export function agentAuthorization(agentId: string, token: string): string {
  return `Basic ${Buffer.from(`${agentId}:${token}`, 'utf8').toString('base64')}`;
}

/** The inverse of agentAuthorization; undefined when absent or malformed. */
export function parseAgentAuthorization(
  header: string | undefined,
): AgentUpgradeCredential | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { agentId: text.slice(0, colon), token: text.slice(colon + 1) };
}
