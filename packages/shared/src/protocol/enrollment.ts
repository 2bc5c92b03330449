import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

/* REST shapes of agent enrollment and agents management: /api/v1/agents/*. */

/** Body of POST /agents/enrollment-tokens. */
export const EnrollmentTokenCreate = Type.Object(
  {
    ttlSeconds: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, description: 'default 3600' }),
    ),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type EnrollmentTokenCreate = Static<typeof EnrollmentTokenCreate>;

/** Response of POST /agents/enrollment-tokens: the one time the secret is shown. */
export const EnrollmentTokenCreated = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'shown once; only its sha256 is stored' }),
  expiresAt: Type.Integer(),
});
export type EnrollmentTokenCreated = Static<typeof EnrollmentTokenCreated>;

export const EnrollmentTokenInfo = Type.Object({
  id: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  expiresAt: Type.Integer(),
  usedAt: Type.Union([Type.Integer(), Type.Null()]),
  usedBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type EnrollmentTokenInfo = Static<typeof EnrollmentTokenInfo>;

/** Response of GET /agents/enrollment-tokens. */
export const EnrollmentTokenList = Type.Object({ tokens: Type.Array(EnrollmentTokenInfo) });
export type EnrollmentTokenList = Static<typeof EnrollmentTokenList>;

const Ident = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

/** Body of POST /agents/enroll (public: the enrollment token is the credential). */
export const EnrollRequest = Type.Object(
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
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  agentId: Type.String(),
  credential: Type.String({
    description: 'the agent keeps it in its 0600 config; the server stores only sha256',
  }),
});
export type EnrollResponse = Static<typeof EnrollResponse>;

/** One row of GET /agents. */
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
export type AgentsResponse = Static<typeof AgentsResponse>;

/** Path params of /agents/:id/revoke. */
export const AgentIdParams = Strict({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export type AgentIdParams = Static<typeof AgentIdParams>;

/** Path params of DELETE /agents/enrollment-tokens/:id. */
export const EnrollmentTokenIdParams = Strict({
  id: Type.String({ minLength: 1, maxLength: 128 }),
});
export type EnrollmentTokenIdParams = Static<typeof EnrollmentTokenIdParams>;

/** One agent build the panel serves under /agent-dist/. */
export const AgentDistFile = Type.Object({
  name: Type.String(),
  arch: Type.String({ description: 'linux-x64 (single executable) or node20 (bundle)' }),
  size: Type.Integer(),
  sha256: Type.String(),
});
export type AgentDistFile = Static<typeof AgentDistFile>;

/** GET /agent-dist/manifest.json: the builds present (install.sh reads it one file per line). */
export const AgentDistManifest = Type.Object({ files: Type.Array(AgentDistFile) });
export type AgentDistManifest = Static<typeof AgentDistManifest>;

/**
 * How a new host can trust this panel before it has anything (GET /agent-dist/trust, admin):
 * the certificate the server serves itself (KEEPWATCH_TLS_CERT), as the agent's fingerprint
 * and as curl's public-key pin, so the install one-liner pins every download. Both null when
 * the server speaks plain http (behind a proxy: the proxy's certificate is unknown here).
 */
export const AgentDistTrust = Type.Object({
  fingerprint: Type.Union([Type.String(), Type.Null()]),
  pin: Type.Union([Type.String(), Type.Null()]),
});
export type AgentDistTrust = Static<typeof AgentDistTrust>;
