import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeRole } from '@keepwatch/shared';
import type { NodeBinding } from './node-binding';

/*
 * Enrollment tokens and per-agent credentials: shapes and secret helpers. Stored through the
 * enrollment repository (storage/sql-enrollment.ts) by enrollment-service.ts; secrets leave
 * the service exactly once (in the create/enroll result), only their sha256 digests are stored.
 */

export const DEFAULT_TOKEN_TTL_S = 3600;
export const MAX_TOKEN_TTL_S = 7 * 24 * 3600;

export interface EnrollmentTokenInfo {
  id: string;
  note: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
  revokedAt: number | null;
}

export interface EnrollRequest {
  token: string;
  hostname: string;
  name?: string;
  clusterId?: string;
  role?: NodeRole;
}

export type EnrollResult =
  | { ok: true; agentId: string; credential: string; binding: NodeBinding }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'revoked' }
  /** ID-2: a live credential already holds this node. */
  | { ok: false; reason: 'node_taken'; holder: string; binding: NodeBinding };

export interface CredentialRow {
  agentId: string;
  hasCredential: boolean;
  hostname: string | null;
  enrolledAt: number;
  revokedAt: number | null;
  /** The node this credential is (null for credentials enrolled before bindings: ID-5). */
  binding: NodeBinding | null;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A readable, unique agent id from the host's name: "web-1-3fa9c2". */
export function agentIdFor(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 48);
  return `${base || 'agent'}-${randomBytes(3).toString('hex')}`;
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
