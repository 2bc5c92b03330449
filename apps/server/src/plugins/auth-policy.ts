import { createHash, timingSafeEqual } from 'node:crypto';
import { PASSWORD_MAX, USERNAME_PATTERN, USER_ROLES } from '@keepwatch/shared';

/*
 * Pure rules of authentication and authorisation (no I/O): roles, password policy, CSRF token
 * derivation and the Origin check. plugins/auth.ts applies them to requests.
 */

export const ROLES = USER_ROLES;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Unknown strings (a hand-edited row) rank below viewer: they get nothing. */
export function roleRank(role: string): number {
  return (ROLES as readonly string[]).indexOf(role);
}

export function roleAtLeast(have: string, need: Role): boolean {
  return roleRank(have) >= roleRank(need);
}

/** The lower of two roles: an API token never outranks its owner's current role. */
export function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

export const PASSWORD_MIN = 10;
export { PASSWORD_MAX, USERNAME_PATTERN };

/** A sentence for the user, or null when the password is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < PASSWORD_MIN)
    return `the password needs at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX)
    return `the password may have at most ${PASSWORD_MAX} characters`;
  if (username !== undefined && password.toLowerCase() === username.toLowerCase()) {
    return 'the password must differ from the username';
  }
  return null;
}

/**
 * The CSRF token of a session: derived from the (HttpOnly, 256-bit random) session token, so
 * it is bound to the session without being stored, and learning it reveals nothing about the
 * session token.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`keepwatch-csrf:${sessionToken}`).digest('base64url');
}

export function csrfMatches(header: string | undefined, sessionToken: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/**
 * A browser's Origin must name the host it talks to. No Origin (curl, agents, same-origin GET
 * in older browsers) passes; `null` (sandboxed frames, file://) and other hosts do not.
 */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  try {
    const from = new URL(origin);
    // Parse the Host with the Origin's scheme so default ports compare equal (":80" vs none).
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** The message of a 403 for a role that is too low. */
export function forbiddenMessage(need: Role, have: string): string {
  return `this needs the ${need} role; you are ${have}`;
}
