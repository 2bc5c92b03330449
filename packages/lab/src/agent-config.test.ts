import { describe, expect, it } from 'vitest';
import { buildAgentConfig, toWsUrl } from './agent-config';
import { hostPaths } from './paths';
import { buildTopology, hostByName } from './topology';

describe('buildAgentConfig', () => {
  const t = buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme: 'master-backup' });
  const opts = { serverUrl: 'http://10.79.0.1:8470', token: 'secret' };

  it('describes a load balancer with keepalived and nginx sources', () => {
    const lb1 = hostByName(t, 'lb1');
    const p = hostPaths('/b', 'lb1');
    const c = buildAgentConfig(t, lb1, p, opts);
    expect(c.agentId).toBe('kwt-lb1');
    expect(c.node).toEqual({ name: 'lb1', role: 'lb', cluster: { id: 'kwt', name: 'Lab (kwt)' } });
    expect(c.server).toEqual({ url: 'ws://10.79.0.1:8470', token: 'secret', allowInsecure: true });
    expect(c.stateDir).toBe('/b/lb1/agent-state');
    expect(c.keepalived).toMatchObject({
      pidFile: '/b/lb1/keepalived.pid',
      dumpDir: '/b/lb1/keepalived-tmp',
      fifo: '/b/lb1/vrrp_notify.fifo',
      configFile: '/b/lb1/keepalived.conf',
    });
    expect(c.nginx?.probe).toEqual({
      url: 'http://127.0.0.1/healthz',
      intervalMs: 1000,
      timeoutMs: 400,
    });
    expect(c.logs).toEqual({
      keepalived: '/b/lb1/keepalived.log',
      nginx: '/b/lb1/nginx_error.log',
    });
    expect(c.tomcat).toBeUndefined();
    expect(c.control).toEqual([]);
    expect(c.serviceManager?.kind).toBe('commands');
    const cmds = c.serviceManager?.kind === 'commands' ? c.serviceManager.commands : {};
    expect(Object.keys(cmds).sort()).toEqual(['keepalived', 'nginx']);
    expect(cmds['nginx']?.start.slice(-8)).toEqual([
      '--prefix',
      'kwt',
      '--base-dir',
      '/b',
      'service',
      'lb1',
      'nginx',
      'start',
    ]);
    // Stops are immediate (a drill's fault time is the stop command's start).
    expect(cmds['nginx']?.stop).toEqual(['pkill', '-TERM', '-F', '/b/lb1/nginx.pid']);
    expect(cmds['keepalived']?.stop).toEqual(['pkill', '-TERM', '-F', '/b/lb1/keepalived.pid']);
  });

  it('lists the other server replicas as ws:// URLs the agent moves to', () => {
    const lb1 = hostByName(t, 'lb1');
    const c = buildAgentConfig(t, lb1, hostPaths('/b', 'lb1'), {
      ...opts,
      replicas: ['http://10.79.0.1:8471', 'wss://panel-b:8470'],
    });
    expect(c.server).toEqual({
      url: 'ws://10.79.0.1:8470',
      replicas: ['ws://10.79.0.1:8471', 'wss://panel-b:8470'],
      token: 'secret',
      allowInsecure: true,
    });
  });

  it('describes a backend with a Tomcat probe on its own address', () => {
    const web2 = hostByName(t, 'web2');
    const c = buildAgentConfig(t, web2, hostPaths('/b', 'web2'), { ...opts, control: ['drills'] });
    expect(c.node.role).toBe('backend');
    expect(c.tomcat).toEqual({
      pidFile: '/b/web2/tomcat.pid',
      probe: { url: 'http://10.79.0.22:8080/', intervalMs: 500, timeoutMs: 400 },
    });
    expect(c.keepalived).toBeUndefined();
    expect(c.control).toEqual(['drills']);
    expect(c.logs).toEqual({ tomcat: '/b/web2/tomcat.log' });
    const cmds = c.serviceManager?.kind === 'commands' ? c.serviceManager.commands : {};
    expect(Object.keys(cmds)).toEqual(['tomcat']);
    expect(cmds['tomcat']?.start.slice(-3)).toEqual(['web2', 'tomcat', 'start']);
  });

  it('rejects what the shared schema rejects', () => {
    const lb1 = hostByName(t, 'lb1');
    expect(() =>
      buildAgentConfig(t, lb1, hostPaths('/b', 'lb1'), { serverUrl: 'ftp://x', token: 't' }),
    ).toThrow(/invalid/);
    expect(toWsUrl('https://a:1')).toBe('wss://a:1');
  });
});
