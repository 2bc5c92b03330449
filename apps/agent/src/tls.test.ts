import { describe, expect, it } from 'vitest';
import {
  insecureTransportError,
  isLoopbackHost,
  normalizeFingerprint,
  toHttpUrl,
  toWsUrl,
} from './tls';

const HEX = 'ab'.repeat(32);
const COLONS = Array.from({ length: 32 }, () => 'AB').join(':');

describe('tls trust rules', () => {
  it('normalizes fingerprints to Node fingerprint256 form', () => {
    expect(normalizeFingerprint(HEX)).toBe(COLONS);
    expect(normalizeFingerprint(`sha256/${COLONS.toLowerCase()}`)).toBe(COLONS);
    expect(() => normalizeFingerprint('abcd')).toThrow(/64 hex digits/);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.5.0.9', 'localhost', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.83.0.1', 'example.com', '128.0.0.1'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('refuses plain ws:// off loopback unless allowInsecure', () => {
    expect(insecureTransportError({ url: 'ws://10.83.0.1:8470' })).toMatch(
      /refusing plain ws:\/\/ to 10\.83\.0\.1:8470.*allowInsecure/,
    );
    expect(insecureTransportError({ url: 'http://panel.example' })).toMatch(/refusing plain http:/);
    expect(
      insecureTransportError({ url: 'ws://10.83.0.1:8470', allowInsecure: true }),
    ).toBeUndefined();
    expect(insecureTransportError({ url: 'ws://127.0.0.1:8470' })).toBeUndefined();
    expect(insecureTransportError({ url: 'wss://panel.example' })).toBeUndefined();
    expect(insecureTransportError({ url: 'ws://127.0.0.1', fingerprint: HEX })).toMatch(
      /needs a wss/,
    );
    expect(insecureTransportError({ url: 'ftp://x' })).toMatch(/must be ws\(s\)/);
  });

  it('converts between http and ws URLs', () => {
    expect(toWsUrl('https://panel:8470/')).toBe('wss://panel:8470');
    expect(toWsUrl('http://panel')).toBe('ws://panel');
    expect(toHttpUrl('wss://panel:1')).toBe('https://panel:1');
  });
});
