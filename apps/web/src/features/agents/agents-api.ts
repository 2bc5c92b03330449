import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/*
 * REST calls of the Agents view (server: modules/enrollment). The shapes mirror the
 * server's enrollment-schemas.ts; responses are checked before use.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const AgentRow = Type.Object({
  agentId: Type.String(),
  nodeName: Nullable(Type.String()),
  role: Nullable(Type.String()),
  clusterId: Nullable(Type.String()),
  hostname: Nullable(Type.String()),
  version: Nullable(Type.String()),
  lastSeen: Nullable(Type.Number()),
  enrolledAt: Nullable(Type.Number()),
  enrolled: Type.Boolean(),
  online: Type.Boolean(),
  revoked: Type.Boolean(),
});
export type AgentRow = Static<typeof AgentRow>;

const AgentsBody = Type.Object({ agents: Type.Array(AgentRow) });
const TokenBody = Type.Object({
  id: Type.String(),
  token: Type.String(),
  expiresAt: Type.Number(),
});
export type CreatedToken = Static<typeof TokenBody>;

export class AgentsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function csrf(): string {
  const match = /(?:^|;\s*)kw_csrf=([^;]+)/.exec(document.cookie);
  return match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
}

async function call<S extends TSchema>(
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
): Promise<Static<S>> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(method !== 'GET' && { 'x-keepwatch-csrf': csrf() }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new AgentsApiError(
      res.status,
      typeof message === 'string' ? message : `HTTP ${res.status}`,
    );
  }
  const check = TypeCompiler.Compile(schema);
  if (!check.Check(json)) throw new AgentsApiError(res.status, `unexpected response from ${path}`);
  return json;
}

export const agentsApi = {
  list: async (): Promise<AgentRow[]> => (await call('GET', '/agents', AgentsBody)).agents,
  createToken: (): Promise<CreatedToken> =>
    call('POST', '/agents/enrollment-tokens', TokenBody, { note: 'dashboard' }),
  revoke: async (agentId: string): Promise<void> => {
    await call(
      'POST',
      `/agents/${encodeURIComponent(agentId)}/revoke`,
      Type.Object({ ok: Type.Boolean() }),
    );
  },
};
