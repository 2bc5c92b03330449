import { describe, expect, it } from 'vitest';
import { parseUpstreams, readUpstreams } from './nginx-config';
import { parseNginxTree } from './nginx-tree';

describe('parseUpstreams', () => {
  it('reads servers of every upstream block, with parameters, comments and default port', () => {
    const conf = `
http {
  upstream backends {
      server 10.77.0.21:8080 weight=5 max_fails=3;
      server 10.77.0.22:8080;   # second
      # server 10.77.0.23:8080;
      server app.example:8081 backup;
      server 10.77.0.24;
      server unix:/tmp/app.sock;
      keepalive 16;
  }
  upstream   api{server [::1]:9000; server 10.0.0.9:9000 down;}
  server { listen 80; location / { proxy_pass http://backends; } }
}`;
    expect(parseUpstreams(conf)).toEqual([
      {
        name: 'backends',
        servers: ['10.77.0.21:8080', '10.77.0.22:8080', 'app.example:8081', '10.77.0.24:80'],
      },
      { name: 'api', servers: ['[::1]:9000', '10.0.0.9:9000'] },
    ]);
  });

  it('finds nothing in a config without upstreams', () => {
    expect(parseUpstreams('events {}\nhttp { server { listen 80; } }')).toEqual([]);
  });
});

describe('readUpstreams', () => {
  it('keeps the server parameters', () => {
    const [u] = readUpstreams(
      parseNginxTree(
        'upstream b {\n server 10.0.0.1:8080 weight=5 max_fails=3 fail_timeout=5s;\n server 10.0.0.2 backup;\n}',
      ).nodes,
    );
    expect(u?.servers).toEqual([
      {
        address: '10.0.0.1:8080',
        weight: 5,
        maxFails: 3,
        failTimeout: '5s',
        backup: false,
        down: false,
        line: 2,
      },
      { address: '10.0.0.2:80', backup: true, down: false, line: 3 },
    ]);
  });
});

describe('parseNginxTree', () => {
  it('reads quotes, escapes, ${var} and comments, and reports what nginx would reject', () => {
    const { nodes, errors } = parseNginxTree(
      'location = /healthz { return 200 "ok \\"lb1\\"\\n"; } # done\nset $x ${host}{;\n}}',
    );
    expect(nodes[0]).toMatchObject({
      name: 'location',
      args: ['=', '/healthz'],
      children: [{ name: 'return', args: ['200', 'ok \\"lb1\\"\\n'] }],
    });
    expect(nodes[1]).toMatchObject({ name: 'set', args: ['$x', '${host}'] });
    expect(errors.map((e) => e.message)).toContain('unexpected "}"');
  });
});
