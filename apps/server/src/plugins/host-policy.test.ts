import { describe, expect, it } from 'vitest';
import { hostName, hostPolicy } from './host-policy';

describe('Host header policy (DNS rebinding)', () => {
  it('parses names, ports and bracketed IPv6; refuses junk', () => {
    expect(hostName('Panel.Example.COM:8470')).toBe('panel.example.com');
    expect(hostName('[::1]:8470')).toBe('::1');
    expect(hostName('10.77.0.1')).toBe('10.77.0.1');
    expect(hostName('panel.example.')).toBe('panel.example');
    for (const bad of ['user@evil.example', 'a b', 'evil.example/x', '[::1', '[::1]x', ''])
      expect(hostName(bad), bad).toBeUndefined();
  });

  it('a loopback panel answers to localhost and its addresses only', () => {
    const p = hostPolicy({ listen: ['127.0.0.1'], names: [] });
    for (const ok of ['localhost', 'localhost:8470', '127.0.0.1:8470', '[::1]:8470'])
      expect(p.allows(ok), ok).toBe(true);
    for (const bad of ['attacker.example', 'attacker.example:8470', '10.77.0.1:8470', undefined])
      expect(p.allows(bad), String(bad)).toBe(false);
  });

  it('adds the listen addresses, the public URL host and the allowed names', () => {
    const p = hostPolicy({
      listen: ['127.0.0.1', '10.77.0.1'],
      names: ['https://Panel.Example.com:8443', 'kw.internal', ' ', '[fd00::1]'],
    });
    for (const ok of ['10.77.0.1:8470', 'panel.example.com', 'kw.internal:80', '[fd00::1]:8470'])
      expect(p.allows(ok), ok).toBe(true);
    expect(p.allows('10.77.0.2:8470')).toBe(false);
    expect(p.allows('example.com')).toBe(false);
  });

  it('on a wildcard address any IP may be the Host (an IP cannot be re-pointed), names still not', () => {
    const p = hostPolicy({ listen: ['0.0.0.0'], names: [] });
    expect(p.allows('192.0.2.7:8470')).toBe(true);
    expect(p.allows('[2001:db8::1]:8470')).toBe(true);
    expect(p.allows('attacker.example')).toBe(false);
  });

  it('"*" in the allowed names turns the check off', () => {
    expect(hostPolicy({ listen: ['127.0.0.1'], names: ['*'] }).allows('anything.example')).toBe(
      true,
    );
  });
});
