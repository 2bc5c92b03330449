import { readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { destroyNetwork, labNamespaces, nsPids } from './netns';
import { cmdlineOf, isAlive, terminate } from './procs';
import type { StateStore } from './state';

/*
 * `down`, written to work after anything: a crashed `up`, a missing or stale state.json,
 * half-deleted namespaces. Processes come from state.json (checked to still be ours) and
 * from `ip netns pids` of every `<prefix>-*` namespace; both sets get SIGTERM, then SIGKILL.
 */

export interface TeardownInput {
  prefix: string;
  hostIf: string;
  baseDir: string;
  state: StateStore;
  log: (line: string) => void;
}

/** A recorded pid is ours if it still sits in one of our namespaces or names our base dir. */
function isOurs(pid: number, baseDir: string, namespaces: string[]): boolean {
  if (!isAlive(pid)) return false;
  if (cmdlineOf(pid)?.some((a) => a.includes(baseDir))) return true;
  try {
    const ino = statSync(`/proc/${pid}/ns/net`).ino;
    return namespaces.some((ns) => statSync(`/run/netns/${ns}`).ino === ino);
  } catch {
    return false;
  }
}

export async function teardownLab(t: TeardownInput): Promise<void> {
  const namespaces = await labNamespaces(t.prefix);
  const pids = new Set<number>();
  for (const rec of Object.values(t.state.read()?.processes ?? {})) {
    if (isOurs(rec.pid, t.baseDir, namespaces)) pids.add(rec.pid);
  }
  for (const list of await Promise.all(namespaces.map(nsPids)))
    for (const pid of list) pids.add(pid);
  if (pids.size > 0) {
    t.log(`stopping ${pids.size} lab processes`);
    // keepalived needs about 1 s after SIGTERM; the rest exit at once.
    const left = await terminate([...pids], 2500);
    if (left.length > 0) throw new Error(`lab processes survived SIGKILL: ${left.join(', ')}`);
  }
  await destroyNetwork(t.prefix, t.hostIf);
  const stillThere = await labNamespaces(t.prefix);
  if (stillThere.length > 0)
    throw new Error(`could not delete namespaces: ${stillThere.join(', ')}`);
  rmSync(t.baseDir, { recursive: true, force: true });
  removeEmptyLabDir(t.baseDir);
  t.log(`lab ${t.prefix} is down`);
}

function removeEmptyLabDir(baseDir: string): void {
  const parent = dirname(baseDir);
  try {
    if (parent.endsWith('/.lab') && readdirSync(parent).length === 0) rmdirSync(parent);
  } catch {
    // another lab may be in there; leave it
  }
}
