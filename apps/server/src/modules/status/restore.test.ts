import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusResponse } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { VIP, agent, hello, login, snapshot, testConfig } from '../../testing/test-app';

describe('server restart', () => {
  it('rebuilds clusters from stored history: nodes offline, VIPs still known, seq resumed', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'kw-restore-')), 'keepwatch.db');
    const first = await buildApp({ config: testConfig(), dbPath, logger: false });
    await first.ready();
    const lb1 = await agent(first, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    lb1.send({
      type: 'vip.change',
      seq: 2,
      ts: 2,
      action: 'remove',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    await first.close();

    const second = await buildApp({ config: testConfig(), dbPath, logger: false });
    await second.ready();
    try {
      const token = await login(second);
      const status = (
        await second.inject({
          url: '/api/v1/status',
          headers: { authorization: `Bearer ${token}` },
        })
      ).json<StatusResponse>();
      const cluster = status.clusters[0];
      expect(cluster?.nodes).toMatchObject([{ name: 'lb1', online: false, vipsHeld: [] }]);
      expect(cluster?.vips.map((v) => v.address)).toEqual([VIP]);
      expect(cluster?.verdict).toBe('unknown');
      const again = await agent(second, hello({}, 'lb1'));
      expect(again.messages.find((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 2 });
    } finally {
      await second.close();
    }
  });
});
