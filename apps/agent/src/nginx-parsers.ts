import type { NginxStats } from '@keepwatch/shared';

/*
 * Pure parsers for what the agent reads from nginx: `upstream NAME { server host:port ...; }`
 * blocks of nginx.conf, and the stub_status page.
 */

export interface Upstream {
  name: string;
  /** host:port as written (port 80 added when absent); unix: sockets are skipped. */
  servers: string[];
}

/** Drops `# comments` to the end of the line (nginx has no block comments). */
function stripComments(text: string): string {
  return text.replace(/#[^\n]*/g, '');
}

function normaliseServer(addr: string): string | undefined {
  if (addr.startsWith('unix:')) return undefined;
  if (/^\[[0-9a-fA-F:]+\](:\d+)?$/.test(addr)) return /\]:\d+$/.test(addr) ? addr : `${addr}:80`;
  return /:\d+$/.test(addr) ? addr : `${addr}:80`;
}

/** Every upstream block with its servers, in file order. */
export function parseUpstreams(conf: string): Upstream[] {
  const text = stripComments(conf);
  const out: Upstream[] = [];
  const head = /\bupstream\s+([^\s{]+)\s*\{/g;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const end = text.indexOf('}', head.lastIndex);
    if (end < 0) break;
    const body = text.slice(head.lastIndex, end);
    const servers: string[] = [];
    for (const stmt of body.split(';')) {
      const words = stmt.trim().split(/\s+/);
      if (words[0] !== 'server' || !words[1]) continue;
      const s = normaliseServer(words[1]);
      if (s && !servers.includes(s)) servers.push(s);
    }
    out.push({ name: m[1] ?? '', servers });
    head.lastIndex = end + 1;
  }
  return out;
}

/**
 * The standard stub_status page:
 *   Active connections: 1
 *   server accepts handled requests
 *    10 10 25
 *   Reading: 0 Writing: 1 Waiting: 0
 */
export function parseStubStatus(text: string): NginxStats | undefined {
  const active = /Active connections:\s*(\d+)/.exec(text);
  const counters = /server accepts handled requests\s*\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(text);
  const rww = /Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/.exec(text);
  if (!active || !counters || !rww) return undefined;
  const n = (s: string | undefined): number => Number(s ?? '0');
  return {
    active: n(active[1]),
    accepts: n(counters[1]),
    handled: n(counters[2]),
    requests: n(counters[3]),
    reading: n(rww[1]),
    writing: n(rww[2]),
    waiting: n(rww[3]),
  };
}
