import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/*
 * scrypt with N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s here): above the 2^14 of the original
 * paper's interactive setting, as OWASP suggests for scrypt. Stored as
 * "scrypt$N$r$p$salt$hash" so parameters can be raised later: needsRehash() tells the login
 * path to re-hash an old-parameter hash while it holds the plain password.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LEN = 64;
// Stored hashes come from our own table, but a corrupt row must not make us allocate gigabytes.
const MAX_N = 2 ** 20;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LEN, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function encode(salt: Buffer, key: Buffer): string {
  const { N, r, p } = PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await derive(password, salt, PARAMS));
}

/** A well-formed hash nobody's password matches, at current parameters, for unknown users. */
export const DUMMY_HASH = encode(Buffer.alloc(16), Buffer.alloc(KEY_LEN));

/** Constant-time comparison of the derived key; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const N = Number(n);
  if (scheme !== 'scrypt' || !salt || !hash || !Number.isInteger(N) || N < 2 || N > MAX_N)
    return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N,
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function needsRehash(stored: string): boolean {
  const [, n, r, p] = stored.split('$');
  return Number(n) !== PARAMS.N || Number(r) !== PARAMS.r || Number(p) !== PARAMS.p;
}
