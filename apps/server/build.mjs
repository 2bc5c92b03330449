// Bundles the server into one ESM file: dist/server.mjs (node20). better-sqlite3 stays
// external (native addon); the swagger-ui and static plugins read their assets from disk at
// runtime, so they stay external too and resolve from node_modules next to the bundle.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [join(here, 'src/server.ts')],
  outfile: join(here, 'dist/server.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['better-sqlite3', '@fastify/swagger-ui', '@fastify/static'],
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);",
  },
  logLevel: 'info',
});
