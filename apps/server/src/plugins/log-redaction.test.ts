import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { login, testConfig } from '../testing/test-app';
import { redactUrl } from './log-redaction';

describe('tokens in query strings are redacted from the logs (issue 7 item 9)', () => {
  it('redacts secret-looking parameters, keeps the rest and the path', () => {
    expect(redactUrl('/api/v1/live?token=abc')).toBe('/api/v1/live?token=[redacted]');
    expect(redactUrl('/x?a=1&TOKEN=abc&b=2#frag')).toBe('/x?a=1&TOKEN=[redacted]&b=2#frag');
    expect(redactUrl('/x?%74oken=abc')).toBe('/x?%74oken=[redacted]');
    expect(redactUrl('/x?access_token=a&password=b&tokenish=c')).toBe(
      '/x?access_token=[redacted]&password=[redacted]&tokenish=c',
    );
    expect(redactUrl('/api/v1/status')).toBe('/api/v1/status');
  });

  it("the server's own request log lines never carry the live feed's ?token=", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: { level: 'info', stream },
    });
    try {
      await app.ready();
      const token = await login(app);
      await app.inject({ url: `/api/v1/status?token=${token}` });
      await app.inject({ url: `/api/v1/live?token=${token}` });
      await app.inject({ url: `/api/v1/nothing?token=${token}&x=1` });
      const text = lines.join('');
      expect(text).toContain('incoming request');
      expect(text).toContain('/api/v1/live?token=[redacted]');
      expect(text).toContain('/api/v1/nothing?token=[redacted]&x=1');
      expect(text).not.toContain(token);
    } finally {
      await app.close();
    }
  });
});
