/*
 * Trust decisions for the agent's connections to the panel, as pure functions: which
 * transports are allowed and how certificate fingerprints compare.
 */

export interface ServerTrust {
  url: string;
  caFile?: string | undefined;
  fingerprint?: string | undefined;
  allowInsecure?: boolean | undefined;
}

/** "ab:cd…", "ABCD…" or "sha256/AB:CD…" → "AB:CD:…" (Node's fingerprint256 format). */
export function normalizeFingerprint(raw: string): string {
  const hex = raw
    .replace(/^sha256[:/=]?/i, '')
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase();
  if (hex.length !== 64)
    throw new Error(`fingerprint must be a sha256 (64 hex digits), got ${JSON.stringify(raw)}`);
  return hex.match(/../g)?.join(':') ?? hex;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Why this URL must not be used, or undefined if it may. Plain ws:// / http:// sends the
 * agent's credential in clear text, so it needs loopback or an explicit allowInsecure.
 */
export function insecureTransportError(trust: ServerTrust): string | undefined {
  let url: URL;
  try {
    url = new URL(trust.url);
  } catch {
    return `server URL ${JSON.stringify(trust.url)} is not a URL`;
  }
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!secure && url.protocol !== 'ws:' && url.protocol !== 'http:')
    return `server URL must be ws(s):// or http(s)://, got ${url.protocol}`;
  if (!secure && (trust.fingerprint || trust.caFile))
    return `a CA file or fingerprint needs a wss:// / https:// server URL, got ${trust.url}`;
  if (secure || trust.allowInsecure || isLoopbackHost(url.hostname)) return undefined;
  return `refusing plain ${url.protocol}// to ${url.host}: the agent credential would cross the network unencrypted. Use wss:// (https://) with --ca or --fingerprint, or set server.allowInsecure (--allow-insecure) for a lab`;
}

/** http(s)://panel → ws(s)://panel, the form the agent config stores. */
export function toWsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
}

/** ws(s)://panel → http(s)://panel, for REST calls such as enroll. */
export function toHttpUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//i, 'http$1://').replace(/\/+$/, '');
}
