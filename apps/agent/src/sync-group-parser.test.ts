import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTextDump } from './text-dump-parser';
import { parseTextSyncGroups } from './sync-group-parser';

describe('parseTextSyncGroups', () => {
  it('reads 2.x member lists and 1.3.x monitor lines', () => {
    const v2 = [
      '------< VRRP Sync groups >------',
      ' VRRP Sync Group = VG_1, MASTER',
      '   VRRP member instances = 2',
      '     VI_1',
      '     VI_2',
      '   Using smtp notification = no',
      '------< VRRP Topology >------',
      ' VRRP Instance = VI_1',
    ].join('\n');
    expect(parseTextSyncGroups(v2)).toEqual([
      { name: 'VG_1', state: 'MASTER', instances: ['VI_1', 'VI_2'] },
    ]);
    const v1 = [
      ' VRRP Sync Group = VG_A, BACKUP',
      '   monitor = VI_1',
      '   monitor = VI_2',
      '',
    ].join('\n');
    expect(parseTextSyncGroups(v1)).toEqual([
      { name: 'VG_A', state: 'BACKUP', instances: ['VI_1', 'VI_2'] },
    ]);
  });
});

describe('a real keepalived 2.2.7 text dump with a sync group', () => {
  const text = readFileSync(
    join(
      import.meta.dirname,
      'testdata',
      'keepalived-dumps',
      'v2.2.7-sync-group',
      'keepalived.data',
    ),
    'utf8',
  );

  it('yields the group with its state and members, and the instances as before', () => {
    expect(parseTextSyncGroups(text)).toEqual([
      { name: 'VG_1', state: 'MASTER', instances: ['VI_1', 'VI_2'] },
    ]);
    expect(parseTextDump(text).map((i) => [i.name, i.state, i.vips])).toEqual([
      ['VI_1', 'MASTER', ['10.99.2.50']],
      ['VI_2', 'MASTER', ['10.99.2.51']],
    ]);
  });
});
