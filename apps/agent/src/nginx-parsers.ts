import type { NginxStats } from '@keepwatch/shared';

/*
 * The stub_status page, as the agent reads it. nginx.conf itself is read by the shared
 * config parser (packages/shared/src/config), like every config file.
 */

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
