import { isIP } from 'node:net';

/*
 * Which Host headers this server answers (DNS rebinding defence). A page on attacker.example
 * whose name is re-pointed at 127.0.0.1 talks to a loopback-bound panel with the browser's
 * blessing, but its requests still say `Host: attacker.example`; refusing unknown names
 * closes that door. A bare IP address cannot be re-pointed, so IP hosts only have to be
 * addresses the server listens on (any IP when it listens on a wildcard address).
 */

export interface HostPolicyInput {
  /** KEEPWATCH_HOST listen addresses. */
  listen: readonly string[];
  /** Extra names: the host of KEEPWATCH_PUBLIC_URL and KEEPWATCH_ALLOWED_HOSTS. */
  names: readonly string[];
}

export interface HostPolicy {
  /** True when requests with this Host header (name[:port]) may be served. */
  allows(hostHeader: string | undefined): boolean;
  /** `*` in KEEPWATCH_ALLOWED_HOSTS: the check is off. */
  readonly open: boolean;
}

const ALWAYS = ['localhost', '127.0.0.1', '::1'];
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** "Panel.Example:8470" → "panel.example", "[::1]:80" → "::1"; undefined when malformed. */
export function hostName(hostHeader: string): string | undefined {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(h.slice(end + 1))) return undefined;
    return h.slice(1, end);
  }
  const name = h.replace(/:\d{1,5}$/, '').replace(/\.$/, '');
  // Host names: letters, digits, dots and dashes only (no userinfo, paths or spaces).
  return /^[a-z0-9.-]+$/.test(name) ? name : undefined;
}

/** A configured entry ("panel.example", "https://panel.example:8443", "[::1]") as a bare name. */
function entryName(entry: string): string | undefined {
  const trimmed = entry.trim();
  if (!trimmed) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      return hostName(new URL(trimmed).host);
    } catch {
      return undefined;
    }
  }
  return isIP(trimmed) === 6 ? trimmed.toLowerCase() : hostName(trimmed);
}

export function hostPolicy(input: HostPolicyInput): HostPolicy {
  const open = input.names.some((n) => n.trim() === '*');
  const wildcard = input.listen.some((h) => WILDCARD.has(h.trim()));
  const allowed = new Set<string>(ALWAYS);
  for (const entry of [...input.listen, ...input.names]) {
    const name = entryName(entry);
    if (name) allowed.add(name);
  }
  return {
    open,
    allows(hostHeader) {
      if (open) return true;
      if (!hostHeader) return false;
      const name = hostName(hostHeader);
      if (name === undefined) return false;
      if (allowed.has(name)) return true;
      return wildcard && isIP(name) !== 0;
    },
  };
}
