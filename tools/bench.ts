/**
 * `pnpm bench <name> [args]`: runs tools/bench/<name>-bench.ts with the remaining arguments;
 * each writes bench/results/<name>.json. `pnpm bench` alone prints one table of every result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { report } from './bench/results';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const [name, ...rest] = process.argv.slice(2).filter((a) => a !== '--');
const available = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('-bench.ts'))
      .map((f) => f.slice(0, -'-bench.ts'.length))
  : [];
if (!name || name === 'report') {
  process.stdout.write(`${report()}\n\nrun one: pnpm bench <${available.join('|')}> [args]\n`);
  process.exit(0);
}
if (!available.includes(name)) {
  process.stderr.write(`usage: pnpm bench <${available.join('|')}> [args]\n`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(dir, `${name}-bench.ts`), ...rest],
  { stdio: 'inherit', timeout: 60 * 60_000 },
);
process.exit(result.status ?? 1);
