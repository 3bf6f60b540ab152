// Starts the compiled bench (`npm run bench` compiles it first with `tsc -p bench/tsconfig.json`).
// Node does not look for a package.json above node_modules/, so the output directory gets its own,
// saying that its .js files are ES modules.
// The parts run one after the other in this process; BENCH_PARTS picks some of them (see parts.ts). The
// verdict comes last (targets.ts): the exit code is 1 only when a ratio misses its target or a part failed.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const started = performance.now();
const outDir = new URL('../node_modules/.cache/nestjs-customerio-bench/', import.meta.url);
writeFileSync(new URL('package.json', outDir), '{ "type": "module" }\n');
const load = (file) => import(new URL(`bench/${file}`, outDir).href);
const { benchRounds, selectedParts } = await load('parts.js');
const { benchError, finish } = await load('targets.js');

let parts;
try {
  parts = selectedParts();
  benchRounds();
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const modules = [
  ['delivery', 'run.js', ['delivery', 'pipelines', 'naive', 'stores'].some((part) => parts.has(part))],
  ['scale-out', 'scale-out.js', parts.has('scale-out')],
  ['decorators', 'decorators.js', parts.has('decorators')],
  ['redis-lease', 'redis-lease.js', parts.has('redis-lease')],
  ['redis-stored', 'redis-stored.js', parts.has('redis-stored')],
];
for (const [part, file, selected] of modules) {
  if (!selected) continue;
  try {
    await load(file);
  } catch (error) {
    benchError(part, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
finish(started);
