import { describe, expect, it } from 'vitest';
import { installOneLiner, shellQuote } from './install-command';

describe('install one-liner', () => {
  it('points curl and --server at this panel and passes the token', () => {
    expect(installOneLiner('https://panel.example:8470/', 'kwe_abc-DEF_1')).toBe(
      'curl -fsSL https://panel.example:8470/api/v1/agent-dist/install.sh | sudo sh -s -- --server https://panel.example:8470 --token kwe_abc-DEF_1',
    );
  });

  it('says --allow-insecure for a plain-http panel off loopback (the agent refuses it otherwise)', () => {
    expect(installOneLiner('http://10.83.0.1:8470', 't')).toMatch(/--token t --allow-insecure$/);
    expect(installOneLiner('http://127.0.0.1:8470', 't')).not.toContain('--allow-insecure');
  });

  it('quotes anything a shell would interpret', () => {
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shellQuote('$(x)')).toBe(`'$(x)'`);
  });
});
