// Builds the agent as one Node single executable application (linux-x64 when run there):
//   CommonJS bundle → SEA blob (node --experimental-sea-config) → copy of this node binary
//   → blob injected with postject → dist/keepwatch-agent
// Run from anywhere: pnpm --filter @keepwatch/agent build:sea
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'postject';

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.platform !== 'linux' || process.arch !== 'x64') {
  // The panel serves this file as the linux-x64 build: never put another platform's there.
  console.log(`skipping the single executable: this is ${process.platform}-${process.arch}, not linux-x64`);
  process.exit(0);
}
const started = performance.now();
const out = `${root}dist/keepwatch-agent`;

mkdirSync(`${root}dist/sea`, { recursive: true });
// SEA runs one CommonJS script with only Node built-ins available to require().
await build({
  entryPoints: [`${root}src/main.ts`],
  outfile: `${root}dist/sea/keepwatch-agent.cjs`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  // ws tries these optional native add-ons inside try/catch; a stub that throws keeps that
  // path, without asking the SEA's require() for a non-built-in (which warns at every start).
  plugins: [
    {
      name: 'no-native-addons',
      setup(b) {
        b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: "throw new Error('not bundled');" }));
      },
    },
  ],
  logLevel: 'warning',
});
execFileSync(process.execPath, ['--experimental-sea-config', `${root}sea/sea-config.json`], { cwd: root, stdio: 'inherit', timeout: 120_000 });

rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
await inject(out, 'NODE_SEA_BLOB', readFileSync(`${root}dist/sea/sea-prep.blob`), {
  // The fuse Node 20 checks at start-up to know a blob is present.
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
});
const version = execFileSync(out, ['version'], { encoding: 'utf8', timeout: 30_000 }).trim();
console.log(`built ${out} (${process.platform}-${process.arch}) in ${((performance.now() - started) / 1000).toFixed(1)} s: ${version}`);
