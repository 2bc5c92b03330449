import { describe, expect, it } from 'vitest';
import { programOf, refusedCommands } from './script-policy';

const live = `global_defs {
  enable_script_security
  script_user root
  vrrp_notify_fifo /run/keepalived/vrrp.fifo
  vrrp_notify_fifo_script "/usr/lib/keepwatch/fifo_reader.py /var/log/kw.log"
}
vrrp_script chk_nginx {
  script "/etc/keepalived/chk_nginx.sh"
  interval 1
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  track_script { chk_nginx }
}
`;

describe('script policy (issue 7 item 8)', () => {
  it('reads the program keepalived would exec, with its quoting', () => {
    expect(programOf('/bin/a.sh x y')).toBe('/bin/a.sh');
    expect(programOf("'/opt/my tools/n.sh' MASTER")).toBe('/opt/my tools/n.sh');
    expect(programOf('"/x/y"')).toBe('/x/y');
  });

  it('allows what the live file already runs, word for word', () => {
    expect(refusedCommands(`${live}\n# a comment\n`, live, [])).toEqual([]);
  });

  it('refuses an added notify command that is not on the allow-list, naming it', () => {
    const pushed = live.replace('priority 100', 'priority 100\n  notify_master "/tmp/evil.sh up"');
    expect(refusedCommands(pushed, live, [])).toMatchObject([
      {
        keyword: 'notify_master',
        command: '/tmp/evil.sh up',
        program: '/tmp/evil.sh',
        context: 'vrrp_instance VI_1',
      },
    ]);
    expect(refusedCommands(pushed, live, ['/tmp/evil.sh'])).toEqual([]);
  });

  it('refuses a changed vrrp_script command and a relative program even if the name is listed', () => {
    const changed = live.replace('chk_nginx.sh"', 'chk_nginx.sh; rm -rf /"');
    expect(refusedCommands(changed, live, [])).toHaveLength(1);
    // Listed programs match only as absolute paths: keepalived would search PATH otherwise.
    const relative = live.replace('"/etc/keepalived/chk_nginx.sh"', 'chk.sh');
    expect(refusedCommands(relative, live, ['chk.sh'])).toHaveLength(1);
  });

  it('finds commands in every place keepalived runs them (global fifo scripts too)', () => {
    const pushed = live.replace(
      '/usr/lib/keepwatch/fifo_reader.py /var/log/kw.log',
      '/usr/bin/python3 -c pwn',
    );
    expect(refusedCommands(pushed, live, [])).toMatchObject([
      { keyword: 'vrrp_notify_fifo_script', context: 'global_defs', program: '/usr/bin/python3' },
    ]);
  });
});
