import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJsonDump } from './json-dump-parser';
import { parseTextDump } from './text-dump-parser';

const testdata = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8');
// Copies of the shared fixtures (keepalived's own SIGUSR1 dumps; see the README there).
const fixture = (version: string): string =>
  testdata(`keepalived-dumps/${version}/keepalived.data`);

describe('parseJsonDump', () => {
  it('reads the 2.2.7 lab sample', () => {
    expect(parseJsonDump(testdata('keepalived-lb1.json'))).toEqual([
      {
        name: 'VI_1',
        state: 'MASTER',
        basePriority: 100,
        effectivePriority: 100,
        vrid: 51,
        interface: 'eth0',
        vips: ['10.88.0.50'],
        lastTransition: 1795548018260,
      },
    ]);
  });
  it('maps numeric states and tolerates unknown ones', () => {
    const mk = (state: number) => ({
      data: { iname: `I${state}`, state, base_priority: 90, vips: [] },
    });
    const r = parseJsonDump(JSON.stringify([0, 1, 2, 3, 7].map(mk)));
    expect(r.map((i) => i.state)).toEqual(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'UNKNOWN']);
    expect(r[0]?.effectivePriority).toBe(90);
  });
  it('throws on a half-written file so the poller retries', () => {
    const full = testdata('keepalived-lb1.json');
    expect(() => parseJsonDump(full.slice(0, full.length / 2))).toThrow();
  });
  it('skips entries without a name', () => {
    expect(parseJsonDump('[{"data":{}}, 3, {"data":{"iname":"X","state":1}}]')).toHaveLength(1);
  });
});

describe('parseTextDump over real dumps of several versions', () => {
  it('1.3.5: "Virtual IP = 1" after an embedded script block, Listening device, no effective priority', () => {
    expect(parseTextDump(fixture('v1.3.5'))).toEqual([
      {
        name: 'VI_1',
        state: 'MASTER',
        basePriority: 150,
        effectivePriority: 150,
        vrid: 51,
        interface: 'eth0',
        vips: ['10.32.75.200'],
        lastTransition: 1596892296000,
      },
    ]);
  });
  it('2.0.10: script section State = idle does not leak into the instance', () => {
    expect(parseTextDump(fixture('v2.0.10'))).toEqual([
      {
        name: 'VI_1',
        state: 'MASTER',
        basePriority: 50,
        effectivePriority: 50,
        vrid: 52,
        interface: 'ens192',
        vips: ['2.2.2.2'],
        lastTransition: 1595875667000,
      },
    ]);
  });
  it('2.1.5: three instances, "Virtual IP :", unicast peers are not VIPs', () => {
    const r = parseTextDump(fixture('v2.1.5'));
    expect(r.map((i) => [i.name, i.state, i.basePriority, i.vrid, i.vips])).toEqual([
      ['VI_EXT_1', 'MASTER', 100, 10, ['192.168.2.1']],
      ['VI_EXT_2', 'BACKUP', 80, 20, ['192.168.2.2']],
      ['VI_EXT_3', 'BACKUP', 90, 30, ['192.168.2.3']],
    ]);
    expect(r[0]?.lastTransition).toBe(1594831166421);
  });
  it('2.2.7: "Virtual IP (1):", excluded VIPs left out, effective differs from base', () => {
    expect(parseTextDump(fixture('v2.2.7'))).toEqual([
      {
        name: 'VI_227_1',
        state: 'MASTER',
        basePriority: 50,
        effectivePriority: 150,
        vrid: 52,
        interface: 'ens3',
        vips: ['10.1.0.1'],
        lastTransition: 1673674892348,
      },
    ]);
  });
  it('returns nothing for an empty or unrelated file', () => {
    expect(parseTextDump('')).toEqual([]);
    expect(parseTextDump('------< Global definitions >------\n Router ID = x\n')).toEqual([]);
  });
});
