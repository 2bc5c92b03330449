import { describe, expect, it } from 'vitest';
import {
  csrfMatches,
  csrfTokenFor,
  forbiddenMessage,
  isStateChanging,
  lowerRole,
  originAllowed,
  passwordProblem,
  roleAtLeast,
} from './auth-policy';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password-hash';

describe('auth policy', () => {
  it('orders roles viewer < operator < admin; unknown roles get nothing', () => {
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'operator')).toBe(true);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('root', 'viewer')).toBe(false);
    expect(lowerRole('admin', 'viewer')).toBe('viewer');
    expect(forbiddenMessage('operator', 'viewer')).toBe(
      'this needs the operator role; you are viewer',
    );
  });

  it('wants passwords of 10+ characters that are not the username', () => {
    expect(passwordProblem('123456789')).toMatch(/at least 10/);
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('AdminAdmin', 'adminadmin')).toMatch(/differ/);
  });

  it('derives a per-session CSRF token and compares it exactly', () => {
    const t = csrfTokenFor('session-a');
    expect(t).not.toBe(csrfTokenFor('session-b'));
    expect(t).not.toContain('session-a');
    expect(csrfMatches(t, 'session-a')).toBe(true);
    expect(csrfMatches(t, 'session-b')).toBe(false);
    expect(csrfMatches(undefined, 'session-a')).toBe(false);
    expect(csrfMatches(t.slice(1), 'session-a')).toBe(false);
  });

  it('accepts only a same-host Origin, or none', () => {
    expect(originAllowed(undefined, 'kw:8470')).toBe(true);
    expect(originAllowed('http://kw:8470', 'kw:8470')).toBe(true);
    expect(originAllowed('https://kw', 'kw:443')).toBe(true);
    expect(originAllowed('https://kw.evil.example', 'kw:8470')).toBe(false);
    expect(originAllowed('http://kw:8471', 'kw:8470')).toBe(false);
    expect(originAllowed('null', 'kw:8470')).toBe(false);
    expect(originAllowed('http://kw:8470', undefined)).toBe(false);
    expect(isStateChanging('GET')).toBe(false);
    expect(isStateChanging('DELETE')).toBe(true);
  });
});

describe('password hashing', () => {
  it('uses scrypt N=2^15 and verifies in constant shape', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash('scrypt$16384$8$1$a$b')).toBe(true);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsf', hash)).toBe(false);
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999999$8$1$a$b')).toBe(false);
  });
});
