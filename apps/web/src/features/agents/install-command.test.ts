import { describe, expect, it } from 'vitest';
import { installCommand, shellQuote } from './install-command';

const PIN = 'sha256//q8+8LQm7rNqLJ5ZtXq8cWw8Uo5V0mFQe0pDxq7oT1Ds=';
const FP =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

describe('install one-liner', () => {
  it('https with the panel certificate: the pin on curl and in the installer, the fingerprint for the agent', () => {
    expect(
      installCommand('https://panel.example:8470/', 'kwe_abc-DEF_1', { pin: PIN, fingerprint: FP }),
    ).toEqual({
      kind: 'line',
      insecure: false,
      line: `curl -fsSL --proto =https -k --pinnedpubkey ${PIN} https://panel.example:8470/api/v1/agent-dist/install.sh | sudo sh -s -- --server https://panel.example:8470 --token kwe_abc-DEF_1 --pin ${PIN} --fingerprint ${FP}`,
    });
  });

  it('https without a certificate of its own (reverse proxy): system CAs, https only, no -k', () => {
    const cmd = installCommand('https://panel.example', 't', { pin: null, fingerprint: null });
    expect(cmd).toEqual({
      kind: 'line',
      insecure: false,
      line: 'curl -fsSL --proto =https https://panel.example/api/v1/agent-dist/install.sh | sudo sh -s -- --server https://panel.example --token t',
    });
  });

  it('plain http off loopback needs an explicit choice, then says --allow-insecure and warns', () => {
    expect(installCommand('http://10.83.0.1:8470', 't', null)).toEqual({
      kind: 'needs-insecure-choice',
    });
    const chosen = installCommand('http://10.83.0.1:8470', 't', null, { allowInsecure: true });
    expect(chosen).toMatchObject({ kind: 'line', insecure: true });
    expect(chosen.kind === 'line' && chosen.line).toMatch(/--token t --allow-insecure$/);
    const loop = installCommand('http://127.0.0.1:8470', 't', null);
    expect(loop).toMatchObject({ kind: 'line', insecure: false });
    expect(loop.kind === 'line' && loop.line).not.toContain('--allow-insecure');
    expect(installCommand('http://localhost.attacker.example', 't', null)).toEqual({
      kind: 'needs-insecure-choice',
    });
  });

  it('quotes anything a shell would interpret', () => {
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shellQuote('$(x)')).toBe(`'$(x)'`);
  });
});
