/*
 * Seeded random inputs for the fuzzer: the same seed gives the same sequence, so a failure
 * printed with its seed replays with KEEPWATCH_FUZZ_SEED=<seed>.
 */

/** mulberry32: small, fast, good enough to pick inputs (not for anything secret). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export const int = (r: Rand, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));
export function pick<T>(r: Rand, items: readonly T[]): T {
  const v = items[Math.floor(r() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** Strings that break naive code: empty, huge, control characters, unicode, injections. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  '\r\n',
  '../../etc/passwd',
  "'; DROP TABLE events; --",
  '<script>alert(1)</script>',
  '%00',
  '%2e%2e%2f',
  '\u202e\ufeff',
  '𝕂𝕖𝕖𝕡',
  '负载均衡',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  '__proto__',
  'constructor',
  'true',
  'null',
];

export function randomString(r: Rand): string {
  switch (int(r, 0, 3)) {
    case 0:
      return pick(r, NASTY);
    case 1:
      return 'x'.repeat(int(r, 0, 3) === 0 ? 100_000 : int(r, 1, 300));
    case 2:
      return String.fromCharCode(...Array.from({ length: int(r, 1, 40) }, () => int(r, 0, 0xffff)));
    default:
      return Math.floor(r() * 1e9).toString(36);
  }
}

const NUMBERS = [0, -1, 1, 0.5, -0.0, 1e308, -1e308, 2 ** 53 + 1, 2 ** 31, 4294967296];

/** Any JSON value, up to `depth` levels of nesting. */
export function randomJson(r: Rand, depth = 3, keys: readonly string[] = []): unknown {
  const kind = int(r, 0, depth > 0 ? 6 : 3);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, NUMBERS);
    case 3:
      return randomString(r);
    case 4:
      return Array.from({ length: int(r, 0, 5) }, () => randomJson(r, depth - 1, keys));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 0, 6); i > 0; i--) {
        const k = keys.length > 0 && r() < 0.7 ? pick(r, keys) : randomString(r).slice(0, 40);
        o[k] = randomJson(r, depth - 1, keys);
      }
      return o;
    }
  }
}

/** A JSON text that does not parse (truncated, trailing junk, bad tokens). */
export function brokenJson(r: Rand): string {
  const good = JSON.stringify(randomJson(r, 2)) ?? 'null';
  switch (int(r, 0, 4)) {
    case 0:
      return good.slice(0, Math.max(1, good.length - 1)) + '{';
    case 1:
      return `${good}}}`;
    case 2:
      return "{'single': 'quotes'}";
    case 3:
      return '{"a":1,}';
    default:
      return '\u0000\u00ff\ufffe';
  }
}

/** Deeply nested arrays: a recursive decoder without a depth limit overflows its stack. */
export const deepJson = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** Property names the app's bodies use, so random objects get past the first checks sometimes. */
export const BODY_KEYS = [
  'type',
  'username',
  'password',
  'currentPassword',
  'newPassword',
  'role',
  'name',
  'id',
  'cluster',
  'clusterId',
  'node',
  'kind',
  'target',
  'config',
  'files',
  'text',
  'enabled',
  'email',
  'url',
  'from',
  'to',
  'reason',
  'ttlMs',
  'expiresInMs',
  'scope',
  'protocol',
  'seq',
  'ts',
  'agentId',
  'token',
  'subscription',
  'source',
];
