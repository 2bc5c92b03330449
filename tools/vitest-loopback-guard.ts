import { isIP } from 'node:net';
import { afterAll, afterEach } from 'vitest';

/*
 * Unit-project setup file (vitest.config.ts): no unit test sends TCP traffic off the machine.
 * House rule: a network test talks only to loopback or to addresses inside network namespaces
 * it created; unit tests create none, so for them every connect must go to loopback.
 *
 * The hook is Node's own TCP handle (`tcp_wrap`), below net.Socket, http, fetch and the probe's
 * raw handle path (packages/probe tcp-exchange.ts): every TCP connect in the process passes
 * TCP.prototype.connect / connect6 with the resolved address. A connect elsewhere is not made
 * (ENETUNREACH, as with no route) and is recorded; the test that made it then fails in
 * afterEach, naming the address, since tests that expect an unreachable VIP would pass anyway.
 * Installed once per worker process (the prototype outlives each file's module graph); the
 * record lives on globalThis (`LOOPBACK_GUARD`) so testing/loopback-guard.test.ts can see it.
 */

type Connect = (this: TcpHandle, req: object, address: string, port: number) => number;
interface TcpHandle {
  connect: Connect;
  connect6: Connect;
}

export interface LoopbackGuard {
  /** Off-machine connects refused since the last check, as `address:port`. */
  offBox: string[];
}

const ENETUNREACH = -101;
const KEY = '__keepwatchLoopbackGuard';

/** 127.0.0.0/8, ::1, their IPv4-mapped forms, and the unspecified addresses (this host). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  if (isIP(a) === 4) return a.startsWith('127.') || a === '0.0.0.0';
  return /^(0{0,4}:){2,7}0{0,3}[01]?$/.test(a);
}

function install(): LoopbackGuard {
  const g = globalThis as { [KEY]?: LoopbackGuard };
  const existing = g[KEY];
  if (existing) return existing;
  const guard: LoopbackGuard = { offBox: [] };
  const binding = (
    process as unknown as { binding(n: string): { TCP: { prototype: TcpHandle } } }
  ).binding('tcp_wrap');
  const proto = binding.TCP.prototype;
  for (const name of ['connect', 'connect6'] as const) {
    const original = proto[name];
    proto[name] = function (this: TcpHandle, req, address, port) {
      if (isLoopback(address)) return original.call(this, req, address, port);
      guard.offBox.push(`${address}:${port}`);
      return ENETUNREACH;
    };
  }
  return (g[KEY] = guard);
}

const guard = install();

function check(where: string): void {
  if (guard.offBox.length === 0) return;
  const seen = [...new Set(guard.offBox.splice(0))].join(', ');
  throw new Error(
    `${where} connected off the machine (unit tests may reach loopback only): ${seen}`,
  );
}

afterEach(() => check('this test'));
afterAll(() => check('this file (outside a test)'));
