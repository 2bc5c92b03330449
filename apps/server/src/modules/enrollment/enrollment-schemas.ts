import { Type, type Static } from '@sinclair/typebox';

/* REST shapes of the enrollment and agents-management routes (mirrored in apps/web features/agents). */

export const CreateTokenBody = Type.Object(
  {
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, description: 'default 3600' })),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const CreatedToken = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'shown once; only its sha256 is stored' }),
  expiresAt: Type.Integer(),
});

export const TokenInfo = Type.Object({
  id: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  expiresAt: Type.Integer(),
  usedAt: Type.Union([Type.Integer(), Type.Null()]),
  usedBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
});

const Ident = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

export const EnrollBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    name: Type.Optional(Ident),
    clusterId: Type.Optional(Ident),
    role: Type.Optional(Type.Union([Type.Literal('lb'), Type.Literal('backend')])),
    agentVersion: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type EnrollBody = Static<typeof EnrollBody>;

export const EnrollResponse = Type.Object({
  agentId: Type.String(),
  credential: Type.String({ description: 'the agent keeps it in its 0600 config; the server stores only sha256' }),
});

export const AgentInfo = Type.Object({
  agentId: Type.String(),
  nodeName: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  clusterId: Type.Union([Type.String(), Type.Null()]),
  hostname: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  facts: Type.Record(Type.String(), Type.Unknown()),
  capabilities: Type.Record(Type.String(), Type.Unknown()),
  lastSeen: Type.Union([Type.Integer(), Type.Null()]),
  enrolledAt: Type.Union([Type.Integer(), Type.Null()]),
  enrolled: Type.Boolean({ description: 'has a per-agent credential (else: shared lab token)' }),
  online: Type.Boolean(),
  revoked: Type.Boolean(),
});
export type AgentInfo = Static<typeof AgentInfo>;

export const AgentsResponse = Type.Object({ agents: Type.Array(AgentInfo) });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
