import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CloseCode,
  liveToBrowserCodec,
  type LivePatch,
  type LiveSnapshot,
} from '@keepwatch/shared';
import { VIP, agent, connect, hello, login, snapshot, testApp } from '../../testing/test-app';

describe('live feed /api/v1/live', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('refuses the upgrade (HTTP 401, no socket) without credentials or with a bad token', async () => {
    await expect(connect(app, '/api/v1/live')).rejects.toThrow(/401/);
    await expect(connect(app, '/api/v1/live?token=nope')).rejects.toThrow(/401/);
    await expect(connect(app, '/api/v1/live', { cookie: 'kw_session=nope' })).rejects.toThrow(
      /401/,
    );
  });

  it('closes an open feed with 4401 once its session ends (logout)', async () => {
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.statusCode).toBeLessThan(300);
    expect(await live.closed).toMatchObject({ code: CloseCode.unauthorized });
  });

  it('a database error in the session re-check costs one tick, not the process', async () => {
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    const real = app.auth.resolveToken.bind(app.auth);
    let failed = 0;
    const spy = vi.spyOn(app.auth, 'resolveToken').mockImplementation(() => {
      failed++;
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    // Wait for the timer to hit the error (an awaited event, bounded by the test timeout).
    await vi.waitFor(() => expect(failed).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    // Storage back: the next tick still ends the feed of a session that is gone.
    spy.mockImplementation(real);
    await app.auth.revoke(token);
    expect(await live.closed).toMatchObject({ code: CloseCode.unauthorized });
  });

  it('sends hello, a snapshot, then a patch within milliseconds of an agent event', async () => {
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');

    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    const snap = (await live.next((m) => m['type'] === 'snapshot')) as unknown as LiveSnapshot;
    expect(live.messages[0]).toMatchObject({ type: 'hello', protocol: 1 });
    expect(snap.status.clusters[0]?.vips[0]?.holders).toEqual(['lb1']);
    for (const m of live.messages) expect(liveToBrowserCodec.check(m).ok).toBe(true);

    const sentAt = Date.now();
    lb1.send({
      type: 'vip.change',
      seq: 2,
      ts: 2,
      action: 'remove',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    const patch = (await live.next((m) => m['type'] === 'patch')) as unknown as LivePatch;
    expect(Date.now() - sentAt).toBeLessThan(500);
    expect(patch.rev).toBe(snap.rev + 1);
    expect(patch.remove).toEqual([]);
    expect(patch.upsert[0]?.vips[0]?.holders).toEqual([]);
    expect(patch.upsert[0]?.verdict).toBe('down');
    expect(liveToBrowserCodec.check(patch).ok).toBe(true);
  });

  it('accepts the session cookie and coalesces a burst into one patch', async () => {
    const token = await login(app);
    const live = await connect(app, '/api/v1/live', { cookie: `kw_session=${token}` });
    await live.next((m) => m['type'] === 'snapshot');
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await live.next((m) => m['type'] === 'patch');
    const before = live.messages.length;
    lb1.send({
      type: 'vrrp.transition',
      seq: 2,
      ts: 2,
      instance: 'VI_1',
      state: 'BACKUP',
      effectivePriority: 90,
      source: 'fifo',
    });
    lb1.send({
      type: 'vip.change',
      seq: 3,
      ts: 3,
      action: 'remove',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 3);
    await new Promise((r) => setTimeout(r, 30));
    const patches = live.messages.slice(before) as unknown as LivePatch[];
    expect(patches.length).toBeGreaterThanOrEqual(1);
    expect(patches.length).toBeLessThanOrEqual(2);
    const last = patches[patches.length - 1];
    expect(last?.upsert[0]?.nodes[0]?.vrrp[0]?.state).toBe('BACKUP');
    for (let i = 1; i < patches.length; i++)
      expect(patches[i]?.rev).toBe((patches[i - 1]?.rev ?? 0) + 1);
  });

  it('sends no patch when a change does not alter the derived status', async () => {
    const lb1 = await agent(app, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await lb1.next((m) => m['type'] === 'ack');
    const token = await login(app);
    const live = await connect(app, `/api/v1/live?token=${token}`);
    await live.next((m) => m['type'] === 'snapshot');
    // A pong whose offset rounds to the value already shown: no visible change.
    const now = Date.now();
    lb1.send({ type: 'pong', id: 1, t0: now, t1: now, t2: now });
    lb1.send({ type: 'pong', id: 2, t0: now, t1: now, t2: now });
    await new Promise((r) => setTimeout(r, 50));
    expect(live.messages.filter((m) => m['type'] === 'patch').length).toBeLessThanOrEqual(1);
  });
});
