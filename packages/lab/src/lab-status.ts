import type { LabStatus } from './lab';

/* Human-readable rendering of a lab status, pure so its shape is testable. */

export function formatError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function formatStatus(s: LabStatus): string {
  const lines: string[] = [];
  const nsUp = s.namespaces.filter((n) => n.present).length;
  lines.push(
    `lab ${s.prefix} (${s.scheme}, ${s.config} config) subnet ${s.subnet}.0/24  base ${s.baseDir}`,
  );
  lines.push(
    `namespaces ${nsUp}/${s.namespaces.length}: ` +
      s.namespaces.map((n) => `${n.name}${n.present ? '' : ' (absent)'}`).join(' '),
  );
  lines.push(`host side: ${s.hostIf.name} ${s.hostIp} ${s.hostIf.present ? 'up' : 'absent'}`);
  for (const h of s.hosts) {
    const svcs = Object.entries(h.services).map(([name, st]) =>
      st.running
        ? `${name} running (${st.pids.join(',')})`
        : `${name} stopped${st.pids.length ? ` (stray ${st.pids.join(',')})` : ''}`,
    );
    if (h.agent !== undefined) svcs.push(`agent running (${h.agent})`);
    lines.push(
      `  ${h.name.padEnd(5)} ${h.role.padEnd(8)} ${h.ns.padEnd(12)} ${h.ip.padEnd(15)} ${svcs.join('; ')}`,
    );
  }
  for (const v of s.vips) {
    const who = v.holders.length === 0 ? 'nobody' : v.holders.join(' + ');
    const warn = v.holders.length > 1 ? '  (SPLIT BRAIN: more than one kernel holds it)' : '';
    lines.push(`VIP ${v.address} (${v.instance}): held by ${who}${warn}`);
  }
  return lines.join('\n');
}
