import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The lab runs each agent as install.sh installs it on a host with Node >= 20: the bundle
 * (apps/agent/dist/keepwatch-agent.mjs) under node, not the TypeScript sources under tsx
 * (which cost ~50 MB more RSS and would hide bundling mistakes). The bundle is rebuilt
 * when any agent or shared source is newer than it, so a test never runs yesterday's agent.
 */

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function agentBundlePath(repoRoot: string): string {
  return join(repoRoot, 'apps', 'agent', 'dist', 'keepwatch-agent.mjs');
}

/** Builds the agent bundle if it is missing or older than its sources; returns its path. */
export function ensureAgentBundle(repoRoot: string): string {
  const bundle = agentBundlePath(repoRoot);
  const sources = Math.max(
    newestMtime(join(repoRoot, 'apps', 'agent', 'src')),
    newestMtime(join(repoRoot, 'packages', 'shared', 'src')),
  );
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return bundle;
  const build = spawnSync(process.execPath, [join(repoRoot, 'apps', 'agent', 'build.mjs')], {
    cwd: join(repoRoot, 'apps', 'agent'),
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0)
    throw new Error(`agent bundle build failed (node apps/agent/build.mjs): ${build.stderr}`);
  return bundle;
}
