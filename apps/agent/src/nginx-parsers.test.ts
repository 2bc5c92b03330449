import { describe, expect, it } from 'vitest';
import { parseStubStatus, parseUpstreams } from './nginx-parsers';

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

describe('parseStubStatus', () => {
  it('parses the standard page', () => {
    const page =
      'Active connections: 2 \nserver accepts handled requests\n 12 11 30 \nReading: 0 Writing: 1 Waiting: 1 \n';
    expect(parseStubStatus(page)).toEqual({
      active: 2,
      accepts: 12,
      handled: 11,
      requests: 30,
      reading: 0,
      writing: 1,
      waiting: 1,
    });
  });

  it('refuses anything else', () => {
    expect(parseStubStatus('<html>404 Not Found</html>')).toBeUndefined();
  });
});
