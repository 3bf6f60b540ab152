/* eslint-disable no-console -- a CI script: it reports on stdout */
// The package as a user gets it: `npm pack` (whose `prepare` builds dist/), installed into a fresh Nest app outside the
// repository, type-checked (`skipLibCheck: false`, so the package's declarations are checked too) and run against the
// package's own sandbox. The app's dependencies are pinned to the versions of this repository's lockfile (theirs are
// resolved by npm) and come from npm's cache when it has them (`npm ci` filled it), from the registry otherwise.
// better-sqlite3 is installed without its build script and given the binary this repository built (same version, same
// Node.js), so nothing is compiled twice.
// Then the package's command, as a user runs it from the app's folder: `npx nestjs-customerio-sandbox --port 0`, sent
// one request with the credentials it printed, stopped with Ctrl-C; and run as linked in node_modules/.bin, stopped
// with SIGINT and with SIGTERM, each of which must end it with exit code 0.
// Prints "consumer test: passed" or "consumer test: failed" last; exits 0 or 1.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';

const root = join(import.meta.dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
/** The version of `name` this repository's lockfile installs. */
const locked = (name) => lock.packages[`node_modules/${name}`].version;

const run = (command, args, cwd) => {
  console.log(`$ ${command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
};

/** The Authorization header of the Track API for the credentials of `env` (the banner's `CUSTOMERIO_` variables). */
const trackAuthorization = (env) =>
  `Basic ${Buffer.from(`${env.CUSTOMERIO_SITE_ID}:${env.CUSTOMERIO_API_KEY}`).toString('base64')}`;

/**
 * Runs the package's command in `app` (`command args`) until its banner is printed, sends it one Track API call with
 * the credentials the banner gave (read back from its JSON API), then `signal`: to the command's process group when `ctrlC` (what a terminal's
 * Ctrl-C does), else to the process. Throws unless the sandbox says it stopped, its port is closed, and the process
 * ended as `ended(code, signal)` accepts.
 */
async function runSandboxCommand(app, command, args, { signal, ctrlC = false, ended }) {
  console.log(`$ ${command} ${args.join(' ')}    (then ${signal}${ctrlC ? ' to its process group' : ''})`);
  const child = spawn(command, args, { cwd: app, stdio: ['ignore', 'pipe', 'inherit'], detached: ctrlC });
  const exited = once(child, 'exit');
  const timer = setTimeout(() => (ctrlC ? process.kill(-child.pid, 'SIGKILL') : child.kill('SIGKILL')), 30_000);
  const lines = [];
  const env = {};
  const banner = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(`  ${line}`);
      lines.push(line);
      for (const [, name, value] of line.matchAll(/\b(CUSTOMERIO_[A-Z_]+)=(\S+)/g)) env[name] = value;
      if (line === 'Ctrl-C stops it.') resolve();
    });
    exited.then(() => reject(new Error(`${command} ended before printing its banner`)));
  });
  try {
    await banner;
    const url = `${env.CUSTOMERIO_TRACK_URL}/api/v1/customers/u-1`;
    const response = await globalThis.fetch(url, {
      method: 'PUT',
      headers: { authorization: trackAuthorization(env), 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'u1@example.com' }),
    });
    if (response.status !== 200) throw new Error(`the sandbox answered an identify ${response.status}`);
    const { people } = await (await globalThis.fetch(`${env.CUSTOMERIO_TRACK_URL}/_sandbox/api/people`)).json();
    if (people[0]?.id !== 'u-1') throw new Error(`the sandbox's JSON API lists ${JSON.stringify(people)}`);
    if (ctrlC) process.kill(-child.pid, signal);
    else child.kill(signal);
    const [code, endSignal] = await exited;
    if (!lines.includes('Customer.io sandbox stopped.')) throw new Error(`the sandbox did not stop on ${signal}`);
    if (!ended(code, endSignal)) throw new Error(`${command} ended with ${endSignal ?? `exit code ${code}`}`);
    const refused = await globalThis.fetch(url, { method: 'PUT' }).then(
      () => false,
      () => true,
    );
    if (!refused) throw new Error(`the sandbox still listens at ${env.CUSTOMERIO_TRACK_URL}`);
    console.log(`identify answered 200, u-1 recorded; ${signal}: stopped, ${endSignal ?? `exit code ${code}`}`);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

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
    'dist/bin/sandbox.cli.js',
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
  const version = run('npx', ['nestjs-customerio-sandbox', '--version'], app).trim();
  if (version !== packed.version) throw new Error(`nestjs-customerio-sandbox --version printed ${version}`);
  // NOTE: npx runs the command under `sh -c`, which passes no signal on and, on Ctrl-C, ends by SIGINT itself: npm then
  // ends by SIGINT too (a shell shows 130), whatever the command's exit code. So the exit code 0 is checked on the
  // command itself, as npm linked it into node_modules/.bin (its shebang and executable bit).
  await runSandboxCommand(app, 'npx', ['nestjs-customerio-sandbox', '--port', '0'], {
    signal: 'SIGINT',
    ctrlC: true,
    ended: (code, signal) => code === 0 || signal === 'SIGINT',
  });
  const linked = join(app, 'node_modules', '.bin', 'nestjs-customerio-sandbox');
  for (const signal of ['SIGINT', 'SIGTERM']) {
    await runSandboxCommand(app, linked, ['--port', '0'], { signal, ended: (code) => code === 0 });
  }
  console.log('consumer test: passed');
} catch (error) {
  console.error(error instanceof Error ? (error.stdout ?? '') + error.message : error);
  console.log('consumer test: failed');
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
