import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LoopbackGuard } from '../../../../tools/vitest-loopback-guard';

/*
 * The unit project's loopback guard (tools/vitest-loopback-guard.ts) is installed and refuses
 * an off-machine connect before it is made. The connect is attempted only once the guard and its
 * wrapped TCP handle are seen, so without them this test fails without sending anything
 * (198.51.100.1 is TEST-NET-2; not 192.0.2.x, this machine's own subnet).
 */

const guard = (globalThis as { __keepwatchLoopbackGuard?: LoopbackGuard }).__keepwatchLoopbackGuard;

const connectError = (host: string): Promise<NodeJS.ErrnoException> =>
  new Promise((resolve, reject) => {
    const s = connect({ host, port: 80 });
    s.on('connect', () => {
      s.destroy();
      reject(new Error(`connected to ${host}`));
    });
    s.on('error', resolve);
  });

describe('loopback guard', () => {
  it('a unit test connecting off the machine is refused ENETUNREACH and recorded', async () => {
    const tcp = (
      process as unknown as { binding(n: string): { TCP: { prototype: object } } }
    ).binding('tcp_wrap').TCP.prototype;
    const wrapped = String(Object.getOwnPropertyDescriptor(tcp, 'connect')?.value);
    if (!guard || wrapped.includes('[native code]'))
      throw new Error('the loopback guard is not installed (vitest.config setupFiles)');
    expect((await connectError('198.51.100.1')).code).toBe('ENETUNREACH');
    expect((await connectError('::ffff:198.51.100.1')).code).toBe('ENETUNREACH');
    // Taken off the record, so this test's afterEach does not fail on them.
    expect(guard.offBox.splice(0)).toEqual(['198.51.100.1:80', '::ffff:198.51.100.1:80']);
  });

  it('loopback is let through (refused by the port, not the guard)', async () => {
    expect((await connectError('127.0.0.1')).code).not.toBe('ENETUNREACH');
    expect(guard?.offBox).toEqual([]);
  });
});
