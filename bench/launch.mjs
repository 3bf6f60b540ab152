// Starts the compiled bench (`npm run bench` compiles it first with `tsc -p bench/tsconfig.json`).
// Node does not look for a package.json above node_modules/, so the output directory gets its own,
// saying that its .js files are ES modules.
import { writeFileSync } from 'node:fs';

const outDir = new URL('../node_modules/.cache/nestjs-customerio-bench/', import.meta.url);
writeFileSync(new URL('package.json', outDir), '{ "type": "module" }\n');
await import(new URL('bench/run.js', outDir).href);
await import(new URL('bench/decorators.js', outDir).href);
await import(new URL('bench/redis-lease.js', outDir).href);
