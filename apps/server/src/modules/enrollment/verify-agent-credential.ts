import type { EnrollmentStore } from './enrollment-store';
import { digestsEqual, sha256Hex } from './enrollment-store';

export type CredentialVerdict =
  { ok: true; via: 'credential' | 'shared-token' } | { ok: false; reason: string };

export interface VerifyOptions {
  store: Pick<EnrollmentStore, 'credential'>;
  /** The server's shared KEEPWATCH_AGENT_TOKEN; undefined when shared-token auth is off. */
  sharedToken: string | undefined;
}

/**
 * Decides whether a hello's (agentId, token) may connect. An agent id that has a credential
 * row must present that credential (or is refused for good once revoked); an id without one
 * may use the shared lab token when the server allows it.
 */
export function verifyAgentCredential(
  opts: VerifyOptions,
  agentId: string,
  token: string,
): CredentialVerdict {
  const presented = sha256Hex(token);
  const row = opts.store.credential(agentId);
  if (row?.revokedAt != null) return { ok: false, reason: 'agent credential revoked' };
  if (row?.hash) {
    return digestsEqual(presented, row.hash)
      ? { ok: true, via: 'credential' }
      : { ok: false, reason: 'invalid agent credential' };
  }
  if (opts.sharedToken !== undefined && digestsEqual(presented, sha256Hex(opts.sharedToken))) {
    return { ok: true, via: 'shared-token' };
  }
  return { ok: false, reason: 'invalid agent token' };
}
