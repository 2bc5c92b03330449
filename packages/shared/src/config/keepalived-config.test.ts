import { describe, expect, it } from 'vitest';
import {
  configInstanceNames,
  configTrackedScriptNames,
  keepalivedCommands,
  parseKeepalivedConfig,
} from './keepalived-config';
import { parseKeepalivedTree } from './keepalived-tree';

export const LB1_CONF = `
! Configuration File for keepalived
global_defs {
   router_id lb1
   enable_script_security
   script_user root
}
include /etc/keepalived/extra/*.conf
vrrp_script chk_nginx {
    script "/usr/bin/curl -fs http://127.0.0.1/"   # inline comment
    interval 2
    weight -5
    fall 2
    rise 1
}
vrrp_instance VI_1
{
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    nopreempt
    authentication {
        auth_type pass
        auth_pass s3cret
    }
    virtual_ipaddress {
        10.77.0.50/24 dev eth0 label eth0:1
        10.77.0.51
    }
    track_script {
        chk_nginx
        chk_extra weight -30
    }
    track_file { maint_flag }
}
`;

describe('parseKeepalivedConfig', () => {
  it('reads instances, scripts, global_defs and includes', () => {
    const c = parseKeepalivedConfig(LB1_CONF);
    expect(c.globalDefs).toEqual({
      router_id: 'lb1',
      enable_script_security: '',
      script_user: 'root',
    });
    expect(c.includes).toEqual(['/etc/keepalived/extra/*.conf']);
    expect(c.globalKeys).toEqual(['router_id', 'enable_script_security', 'script_user']);
    expect(c.scripts).toEqual([
      {
        name: 'chk_nginx',
        line: 9,
        script: '/usr/bin/curl -fs http://127.0.0.1/',
        weight: -5,
        interval: 2,
        fall: 2,
        rise: 1,
      },
    ]);
    expect(c.instances).toEqual([
      {
        name: 'VI_1',
        line: 16,
        state: 'MASTER',
        vrid: 51,
        priority: 100,
        advertInt: 1,
        interface: 'eth0',
        authType: 'PASS',
        authPassPresent: true,
        authPass: 's3cret',
        vips: ['10.77.0.50', '10.77.0.51'],
        virtualAddresses: [
          { address: '10.77.0.50', prefix: 24, dev: 'eth0', label: 'eth0:1' },
          { address: '10.77.0.51' },
        ],
        trackScripts: [{ name: 'chk_nginx' }, { name: 'chk_extra', weight: -30 }],
        trackFiles: [{ name: 'maint_flag' }],
        nopreempt: true,
        unicastPeers: [],
      },
    ]);
  });

  it('applies keepalived defaults and survives garbage', () => {
    const c = parseKeepalivedConfig('vrrp_instance X {\n virtual_router_id 7\n}\n}}} {{ nonsense');
    expect(c.instances[0]).toMatchObject({
      name: 'X',
      vrid: 7,
      priority: 100,
      advertInt: 1,
      authPassPresent: false,
      nopreempt: false,
    });
    expect(parseKeepalivedConfig('').instances).toEqual([]);
  });
});

const CONF = `
vrrp_script chk_nginx {
    script "/usr/bin/curl -sf http://127.0.0.1/"
    weight -20
}
vrrp_instance VI_1 {
    track_script {
        chk_nginx
        chk_disk weight -5   # a comment { }
    }
}
vrrp_instance VI_2 {
    # track_script { chk_commented }
    track_script { chk_nginx }
}
`;

describe('what a reload must keep', () => {
  it('lists the instances and every tracked script once, ignoring comments', () => {
    expect(configInstanceNames(parseKeepalivedConfig(CONF))).toEqual(['VI_1', 'VI_2']);
    expect(configTrackedScriptNames(parseKeepalivedConfig(CONF))).toEqual([
      'chk_disk',
      'chk_nginx',
    ]);
    expect(
      configTrackedScriptNames(parseKeepalivedConfig('vrrp_instance VI_1 { priority 100 }')),
    ).toEqual([]);
  });
});

describe('the tree', () => {
  it('keeps quoted words whole (a # inside quotes is no comment) and marks conditional lines', () => {
    const tree = parseKeepalivedTree(
      'vrrp_script s {\n  script "/bin/check --tag #1"  # trailing\n@high  priority 170\n}',
    );
    expect(tree[0]?.children).toEqual([
      { key: 'script', args: ['/bin/check --tag #1'], line: 2 },
      { key: 'priority', args: ['170'], line: 3, condition: 'high' },
    ]);
  });

  it('reads braces glued to words and a block opening on the next line', () => {
    const tree = parseKeepalivedTree(
      'vrrp_instance VI_1{\n track_script{chk}\n}\nglobal_defs\n{\n router_id x\n}',
    );
    expect(tree.map((n) => n.key)).toEqual(['vrrp_instance', 'global_defs']);
    expect(tree[0]?.children?.[0]).toMatchObject({
      key: 'track_script',
      children: [{ key: 'chk' }],
    });
    expect(tree[1]?.children?.[0]).toMatchObject({ key: 'router_id', args: ['x'] });
  });
});

describe('keepalivedCommands', () => {
  it('finds every command keepalived may run, with where it is written', () => {
    const text = `global_defs {
  vrrp_notify_fifo_script "/usr/local/bin/fifo.sh"
}
vrrp_script chk { script "/usr/bin/curl -sf http://127.0.0.1/" }
vrrp_sync_group G { group { VI_1 } notify_master "/bin/sg-master" }
vrrp_instance VI_1 {
  notify "/usr/local/bin/notify.sh log"
  notify_master /usr/local/bin/master.sh
}
virtual_server 10.0.0.1 80 { real_server 10.0.0.2 80 { MISC_CHECK { misc_path "/bin/misc x" } } }
`;
    expect(
      keepalivedCommands(parseKeepalivedTree(text)).map((c) => [
        c.keyword,
        c.command,
        c.context,
        c.line,
      ]),
    ).toEqual([
      ['vrrp_notify_fifo_script', '/usr/local/bin/fifo.sh', 'global_defs', 2],
      ['script', '/usr/bin/curl -sf http://127.0.0.1/', 'vrrp_script chk', 4],
      ['notify_master', '/bin/sg-master', 'vrrp_sync_group G', 5],
      ['notify', '/usr/local/bin/notify.sh log', 'vrrp_instance VI_1', 7],
      ['notify_master', '/usr/local/bin/master.sh', 'vrrp_instance VI_1', 8],
      ['misc_path', '/bin/misc x', 'MISC_CHECK', 10],
    ]);
  });
});

describe('sync groups', () => {
  it('reads the members of each vrrp_sync_group', () => {
    const conf = `
vrrp_sync_group VG_1 {
  group {
    VI_1
    VI_2   # the second one
  }
  notify_master "/bin/true"
}
vrrp_instance VI_1 { state MASTER  virtual_ipaddress { 10.0.0.1 } }
vrrp_sync_group VG_2 { group { VI_3 } }
`;
    expect(parseKeepalivedConfig(conf).syncGroups).toEqual([
      { name: 'VG_1', instances: ['VI_1', 'VI_2'] },
      { name: 'VG_2', instances: ['VI_3'] },
    ]);
  });

  it('finds none in a config without groups', () => {
    expect(parseKeepalivedConfig('vrrp_instance VI_1 { priority 100 }').syncGroups).toEqual([]);
  });
});
