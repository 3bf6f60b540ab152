import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { expect } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** The child application of the crash tests: test/delivery/stores/fixtures/queue-crash-child.mjs. */
export const crashChildScript = join(root, 'test/delivery/stores/fixtures/queue-crash-child.mjs');

/**
 * Compiles the library for child processes (Jest's ts-jest transform does not reach them) into a fresh
 * directory under node_modules/.cache, where the project's node_modules resolve; returns the directory.
 * Throws unless each of `required` (paths relative to lib, as .js) was emitted.
 */
export function buildLibraryForChildren(required: readonly string[]): string {
  const cache = join(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  // one directory per caller: the crash specs build in parallel workers
  const outDir = mkdtempSync(join(cache, 'nestjs-customerio-crash-'));
  // Other files of lib may be mid-edit and fail to type-check: tsc still emits; what is needed is checked below.
  spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  for (const file of required) {
    if (!existsSync(join(outDir, file))) throw new Error(`the library did not build: ${file} missing in ${outDir}`);
  }
  return outDir;
}

/** Removes a directory made by {@link buildLibraryForChildren}. */
export function removeBuild(outDir: string | undefined): void {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
}

/** A running child, with its stdout lines as they come. */
export interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  /** The exit code, once the process ended and its output was read. */
  exited: Promise<number | null>;
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** Starts `node <script> ...args` in the project root. */
export function startChild(script: string, args: string[]): Child {
  const processRef = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: processRef.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const listener of listeners) listener();
  });
  processRef.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => processRef.on('close', (code) => resolveExit(code)));
  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 10_000) =>
    new Promise<string>((resolveLine, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found === undefined) return;
        cleanup();
        resolveLine(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `child: no such line within ${timeoutMs} ms; stdout: ${lines.slice(-5).join(' | ')}; stderr: ${stderr.join('')}`,
          ),
        );
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(
          new Error(`child exited before the line; stdout: ${lines.slice(-5).join(' | ')}; stderr: ${stderr.join('')}`),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        processRef.off('exit', onExit);
      };
      listeners.add(check);
      processRef.once('exit', onExit);
      check();
    });
  return { process: processRef, lines, stderr, exited, waitForLine };
}

/** Kills the child with SIGKILL (no shutdown hooks run) and waits until it is gone. */
export async function kill9(target: Child): Promise<void> {
  if (target.process.exitCode === null && target.process.signalCode === null) target.process.kill('SIGKILL');
  await target.exited;
}

/**
 * Kills `doomed` (a crash child in mode `stored`) with SIGKILL once it said a random number (500 to 3,499) of its
 * operations stored, in the middle of its stream, and answers the ids it said stored.
 */
export async function killMidStream(doomed: Child): Promise<string[]> {
  const storedBeforeKill = 500 + Math.floor(Math.random() * 3_000);
  await doomed.waitForLine(() => doomed.lines.length >= storedBeforeKill);
  await kill9(doomed);
  expect(doomed.process.signalCode).toBe('SIGKILL');
  expect(doomed.lines).not.toContain('streamed'); // killed mid-stream
  const stored = doomed.lines.map((line) => line.slice('stored '.length));
  expect(stored.length).toBeGreaterThanOrEqual(storedBeforeKill);
  return stored;
}

/** Kills every child still running, emptying `children`. */
export async function killAll(children: Child[]): Promise<void> {
  for (const running of children.splice(0)) await kill9(running);
}
