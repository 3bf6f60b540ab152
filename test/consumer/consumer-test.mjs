/* eslint-disable no-console -- a CI script: it reports on stdout */
// The package as a user gets it: `npm pack` (whose `prepare` builds dist/), installed into a fresh Nest app outside the
// repository, type-checked (`skipLibCheck: false`, so the package's declarations are checked too) and run against the
// package's own sandbox. The app's dependencies are pinned to the versions of this repository's lockfile (theirs are
// resolved by npm) and come from npm's cache when it has them (`npm ci` filled it), from the registry otherwise.
// better-sqlite3 is installed without its build script and given the binary this repository built (same version, same
// Node.js), so nothing is compiled twice.
// Prints "consumer test: passed" or "consumer test: failed" last; exits 0 or 1.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
/** The version of `name` this repository's lockfile installs. */
const locked = (name) => lock.packages[`node_modules/${name}`].version;

const run = (command, args, cwd) => {
  console.log(`$ ${command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
};

const work = mkdtempSync(join(tmpdir(), 'nestjs-customerio-consumer-'));
try {
  // `npm pack` must build dist/ itself: start without one.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const output = run('npm', ['pack', '--json', '--pack-destination', work], root);
  // NOTE: the output of `prepare` comes first; the JSON report starts on the first line that opens an array.
  const [packed] = JSON.parse(output.slice(output.search(/^\[/m)));
  const shipped = packed.files.map((file) => file.path);
  for (const entry of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/testing/index.js',
    'dist/testing/index.d.ts',
    'dist/stores/index.js',
    'dist/stores/index.d.ts',
    'dist/redis/index.js',
  ]) {
    if (!shipped.includes(entry)) throw new Error(`${packed.filename} lacks ${entry}`);
  }
  console.log(`${packed.filename}: ${shipped.length} files, ${packed.size} bytes`);

  const app = join(work, 'app');
  cpSync(join(import.meta.dirname, 'app'), app, { recursive: true });
  const peers = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/schedule',
    'reflect-metadata',
    'rxjs',
    'customerio-node',
    'better-sqlite3',
  ];
  const tools = ['typescript', '@types/node'];
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer-app',
        private: true,
        type: 'module',
        dependencies: {
          'nestjs-customerio': `file:../${packed.filename}`,
          ...Object.fromEntries([...peers, ...tools].map((name) => [name, locked(name)])),
        },
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
  cpSync(
    join(realpathSync(join(root, 'node_modules', 'better-sqlite3')), 'build'),
    join(app, 'node_modules', 'better-sqlite3', 'build'),
    {
      recursive: true,
    },
  );

  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
  process.stdout.write(run(process.execPath, ['--enable-source-maps', join(app, 'dist', 'main.js')], app));
  console.log('consumer test: passed');
} catch (error) {
  console.error(error instanceof Error ? (error.stdout ?? '') + error.message : error);
  console.log('consumer test: failed');
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
