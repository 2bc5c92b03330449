import { keepalivedCommands, parseKeepalivedTree, type KeepalivedCommand } from '@keepwatch/shared';

/*
 * A keepalived.conf the server pushes must not make keepalived run a program the host did
 * not allow (keepalived runs scripts and notify commands as its script_user, often root).
 * Every command comes from the shared parser (`keepalivedCommands`: vrrp_script `script`,
 * `notify*`, fifo scripts, checker `misc_path`, quorum commands). A command is allowed when
 *   - it is already in the live file, word for word (the host runs it today), or
 *   - its program (first word, quotes as keepalived reads them) is an absolute path listed
 *     in the agent's own `keepalived.allowedScripts`.
 * Anything else refuses the whole push, with the commands named.
 */

/** The program keepalived would exec: the first word, with '…' or "…" quoting. */
export function programOf(command: string): string {
  const s = command.trimStart();
  const q = s[0];
  if (q === "'" || q === '"') {
    const end = s.indexOf(q, 1);
    return end < 0 ? s.slice(1) : s.slice(1, end);
  }
  return s.split(/\s/, 1)[0] ?? '';
}

export interface RefusedCommand extends KeepalivedCommand {
  program: string;
}

/** The commands of `pushed` that neither `live` runs nor `allowed` lists. */
export function refusedCommands(
  pushed: string,
  live: string,
  allowed: readonly string[],
): RefusedCommand[] {
  const already = new Set(keepalivedCommands(parseKeepalivedTree(live)).map((c) => c.command));
  const programs = new Set(allowed.filter((p) => p.startsWith('/')));
  return keepalivedCommands(parseKeepalivedTree(pushed))
    .map((c) => ({ ...c, program: programOf(c.command) }))
    .filter((c) => !already.has(c.command) && !programs.has(c.program));
}

export function describeRefused(list: readonly RefusedCommand[]): string {
  return list.map((c) => `line ${c.line} (${c.context}): ${c.keyword} ${c.command}`).join('\n');
}
