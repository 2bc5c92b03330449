import type { EnrollmentService } from './enrollment-service';
import { digestsEqual, sha256Hex } from './enrollment-types';
import type { NodeBinding } from './node-binding';

export type CredentialVerdict =
  | { ok: true; via: 'credential'; binding: NodeBinding | null }
  | { ok: true; via: 'shared-token' }
  | { ok: false; reason: string };

export interface VerifyOptions {
  store: Pick<EnrollmentService, 'credential'>;
  /** The server's shared KEEPWATCH_AGENT_TOKEN. */
  sharedToken: string | undefined;
  /** KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: off by default, labs and the demo turn it on. */
  allowSharedToken: boolean;
}

export const SHARED_TOKEN_OFF =
  'the shared agent token is turned off on this server: enroll the agent (KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN=1 is for labs)';

/**
 * Decides whether a hello's (agentId, token) may connect. An agent id that has a credential
 * row must present that credential (or is refused for good once revoked); an id without one
 * may use the shared lab token when the server allows it.
 */
export async function verifyAgentCredential(
  opts: VerifyOptions,
  agentId: string,
  token: string,
): Promise<CredentialVerdict> {
  const presented = sha256Hex(token);
  const row = await opts.store.credential(agentId);
  if (row?.revokedAt != null) return { ok: false, reason: 'agent credential revoked' };
  if (row?.hash) {
    return digestsEqual(presented, row.hash)
      ? { ok: true, via: 'credential', binding: row.binding }
      : { ok: false, reason: 'invalid agent credential' };
  }
  if (opts.sharedToken !== undefined && digestsEqual(presented, sha256Hex(opts.sharedToken))) {
    // The token is right but not allowed: say so, the operator would chase a typo otherwise.
    return opts.allowSharedToken
      ? { ok: true, via: 'shared-token' }
      : { ok: false, reason: SHARED_TOKEN_OFF };
  }
  return { ok: false, reason: 'invalid agent token' };
}
