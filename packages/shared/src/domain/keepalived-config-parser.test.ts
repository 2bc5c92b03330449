import { describe, expect, it } from 'vitest';
import { parseKeepalivedConfig } from './keepalived-config-parser';

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
    expect(c.scripts).toEqual([{ name: 'chk_nginx', weight: -5, interval: 2, fall: 2, rise: 1 }]);
    expect(c.instances).toEqual([
      {
        name: 'VI_1',
        state: 'MASTER',
        vrid: 51,
        priority: 100,
        advertInt: 1,
        interface: 'eth0',
        authType: 'PASS',
        authPassPresent: true,
        authPass: 's3cret',
        vips: ['10.77.0.50', '10.77.0.51'],
        trackScripts: [{ name: 'chk_nginx' }, { name: 'chk_extra', weight: -30 }],
        trackFiles: ['maint_flag'],
        nopreempt: true,
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
