import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type BetterSqlite3 from 'better-sqlite3';
import type { QueuedOperation } from '../../../lib/index.js';
import { SqliteQueueStore } from '../../../lib/stores/sqlite/sqlite-queue.store.js';
import { expectEachOnceOrReported } from '../../support/delivery-assertions.js';
import { createQueueApp, useQueueSandbox } from '../../support/queue-app.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

function op(id: string, key = 'k', attempts = 0): QueuedOperation {
  const json = JSON.stringify({ type: 'person', identifiers: { id: key }, action: 'event', name: 'e', id });
  return { id, key, json, bytes: Buffer.byteLength(json), attempts };
}

const ids = (operations: readonly QueuedOperation[]) => operations.map((o) => o.id);
const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const unlimited = { maxOperations: 1_000, maxBytes: 1_000_000 };

/** A 64 KiB tmpfs, to fill the disk; undefined (with the reason) when this sandbox may not mount one. */
function mountTinyTmpfs(): { dir?: string; reason?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cio-sqlite-full-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status === 0) return { dir };
  rmSync(dir, { recursive: true, force: true });
  return { reason: (result.stderr || String(result.error)).trim() };
}

describe('SqliteQueueStore', () => {
  let dir: string;
  let path: string;
  const opened: SqliteQueueStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SqliteQueueStore>[0]> = {}) => {
    const store = new SqliteQueueStore({ path, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cio-sqlite-'));
    path = join(dir, 'queue.db');
  });
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the store contract', () => {
    it('appends, leases in order, acknowledges, and counts size and bytes', () => {
      const store = open();
      expect(store.durable).toBe(true);
      const operations = ['a', 'b', 'c'].map((id, i) => op(id, `k${i}`));
      for (const operation of operations) store.append(operation);
      expect(store.size).toBe(3);
      expect(store.bytes).toBe(operations.reduce((sum, o) => sum + o.bytes, 0));

      const leased = store.lease({ maxOperations: 2, maxBytes: 1_000 });
      expect(ids(leased)).toEqual(['a', 'b']);
      expect(leased[0]).toMatchObject(operations[0]);
      expect(ids(store.lease(unlimited))).toEqual(['c']);
      expect(store.lease(unlimited)).toEqual([]);
      expect(store.size).toBe(3); // leased ones count

      store.acknowledge(leased);
      expect(store.size).toBe(1);
      expect(store.bytes).toBe(operations[2].bytes);
      expect(store.has('a')).toBe(false);
      expect(store.has('c')).toBe(true);
      expect(() => store.acknowledge(leased)).toThrow(/operation a is not leased from this store/);
    });

    it('cuts a lease by bytes', () => {
      const store = open();
      const operations = ['a', 'b', 'c'].map((id, i) => op(id, `k${i}`));
      for (const operation of operations) store.append(operation);
      expect(ids(store.lease({ maxOperations: 10, maxBytes: operations[0].bytes * 2 }))).toEqual(['a', 'b']);
    });

    it('keeps each key in one lease at a time, and its operations in order', () => {
      const store = open();
      // a1 b1 a2 c1 b2 a3 c2
      for (const [id, key] of [
        ['a1', 'a'],
        ['b1', 'b'],
        ['a2', 'a'],
        ['c1', 'c'],
        ['b2', 'b'],
        ['a3', 'a'],
        ['c2', 'c'],
      ])
        store.append(op(id, key));
      const first = store.lease({ maxOperations: 2, maxBytes: 1_000_000 });
      expect(ids(first)).toEqual(['a1', 'b1']);
      // a and b are leased: everything of theirs waits; c goes
      const second = store.lease(unlimited);
      expect(ids(second)).toEqual(['c1', 'c2']);
      expect(store.lease(unlimited)).toEqual([]);

      store.acknowledge([first[0]]); // a1 done; b1 still leased
      const third = store.lease(unlimited);
      expect(ids(third)).toEqual(['a2', 'a3']);

      store.release([first[1]]); // b1 back in its place, ahead of b2
      expect(ids(store.lease(unlimited))).toEqual(['b1', 'b2']);
    });

    it('releases back into the original place, with the new attempts', () => {
      const store = open();
      for (const id of ['a', 'b', 'c']) store.append(op(id, id));
      const [a] = store.lease({ maxOperations: 1, maxBytes: 1_000 });
      a.attempts = 3;
      store.release([a]);
      const all = store.lease(unlimited);
      expect(ids(all)).toEqual(['a', 'b', 'c']);
      expect(all.map((o) => o.attempts)).toEqual([3, 0, 0]);
    });

    it('drops the oldest operation not leased', () => {
      const store = open();
      for (const id of ['a', 'b', 'c']) store.append(op(id, id));
      store.lease({ maxOperations: 1, maxBytes: 1_000 }); // a
      const dropped = store.dropOldest();
      expect(dropped).toEqual(op('b', 'b'));
      expect(store.size).toBe(2);
      expect(store.has('b')).toBe(false);
      expect(store.has('a')).toBe(true); // leased: still held
      expect(store.dropOldest()?.id).toBe('c');
      expect(store.dropOldest()).toBeUndefined();
      expect(store.size).toBe(1);
    });

    it('keeps everything across close and reopen: what was leased and not acknowledged comes back, in order', () => {
      const first = open();
      for (const [id, key] of [
        ['a1', 'a'],
        ['b1', 'b'],
        ['a2', 'a'],
        ['c1', 'c'],
      ])
        first.append(op(id, key));
      const leased = first.lease({ maxOperations: 2, maxBytes: 1_000_000 }); // a1 b1
      leased[1].attempts = 2;
      first.release([leased[1]]);
      first.acknowledge([leased[0]]); // a1 delivered
      first.lease(unlimited); // b1 a2 c1, in flight when the process stops
      first.close();
      expect(first.open).toBe(false);
      expect(() => first.append(op('late'))).toThrow(/the queue file .*queue\.db was closed/);

      const second = open();
      expect(second.size).toBe(3);
      expect(second.bytes).toBe(['b1', 'a2', 'c1'].reduce((sum, id) => sum + op(id, id[0]).bytes, 0));
      const again = second.lease(unlimited);
      expect(ids(again)).toEqual(['b1', 'a2', 'c1']);
      expect(again[0].attempts).toBe(2);
    });

    it('refuses a second store on a file in use', () => {
      open();
      expect(() => open({ lockTimeoutMs: 50 })).toThrow(/queue file .*queue\.db is in use by another process or store/);
    });
  });

  describe('files it must not use', () => {
    it('refuses a file that is not SQLite, and leaves it untouched', () => {
      const garbage = Buffer.alloc(8_192, 0);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
      writeFileSync(path, garbage);
      expect(() => open()).toThrow(
        new RegExp(
          `${path.replace(/[.]/g, '\\.')} is not a nestjs-customerio queue \\(not a SQLite database\\); refusing`,
        ),
      );
      expect(readFileSync(path).equals(garbage)).toBe(true);
      expect(readdirSync(dir)).toEqual(['queue.db']);
    });

    it("refuses another application's SQLite database, and leaves it untouched", () => {
      const foreign = new Database(path);
      foreign.exec("CREATE TABLE users (id TEXT); INSERT INTO users VALUES ('ada')");
      foreign.close();
      const before = hash(path);
      expect(() => open()).toThrow(
        /queue\.db is not a nestjs-customerio queue \(it holds table:users of another application\)/,
      );
      expect(hash(path)).toBe(before);
      expect(readdirSync(dir)).toEqual(['queue.db']);

      const other = new Database(path);
      other.pragma('application_id = 42');
      other.close();
      expect(() => open()).toThrow(/is not a nestjs-customerio queue \(application_id is 0x2a\)/);
    });

    it('refuses a queue file whose pages are damaged, and leaves it untouched', () => {
      const store = open();
      for (let i = 0; i < 400; i++)
        store.append({ ...op(`id-${i}`, `k${i % 5}`), json: JSON.stringify({ pad: 'x'.repeat(200), i }) });
      store.close();
      const bytes = readFileSync(path);
      expect(bytes.length).toBeGreaterThan(8 * 4_096);
      bytes.fill(0x5a, 4 * 4_096 + 100, 6 * 4_096); // scribble over interior pages
      writeFileSync(path, bytes);
      const before = hash(path);
      expect(() => open()).toThrow(/the queue file .*queue\.db is corrupted \(.+\); refusing to use it/);
      expect(hash(path)).toBe(before);
    });

    it('refuses a queue file written by a newer schema', () => {
      open().close();
      const db = new Database(path);
      db.pragma('user_version = 99');
      db.close();
      expect(() => open()).toThrow(/has schema version 99, newer than this version knows \(1\)/);
    });

    it('names the path and the cause when it cannot create the file', () => {
      // NOTE: tests run as root, which ignores permission bits: a parent that is a regular file, and
      // /proc, refuse to create a file whatever the user.
      const file = join(dir, 'plain-file');
      writeFileSync(file, '');
      const underFile = join(file, 'queue.db');
      expect(() => new SqliteQueueStore({ path: underFile })).toThrow(
        new RegExp(
          `SqliteQueueStore: cannot open the queue file ${underFile.replace(/[.]/g, '\\.')}: .*(unable to open|cannot open)`,
          'i',
        ),
      );
      expect(() => new SqliteQueueStore({ path: '/proc/customerio-queue.db' })).toThrow(
        /cannot open the queue file \/proc\/customerio-queue\.db: /,
      );
      expect(() => new SqliteQueueStore({ path: join(dir, 'missing-dir', 'queue.db') })).toThrow(
        /cannot open the queue file .*missing-dir/,
      );
    });
  });

  describe('on a full disk', () => {
    const tmpfs = mountTinyTmpfs();
    afterAll(() => {
      if (!tmpfs.dir) return;
      spawnSync('umount', [tmpfs.dir]);
      rmSync(tmpfs.dir, { recursive: true, force: true });
    });
    if (!tmpfs.dir) console.warn(`skipping the full-disk tests: cannot mount a tmpfs here (${tmpfs.reason})`);
    const withTmpfs = tmpfs.dir ? it : it.skip;

    withTmpfs('fails at start-up naming the path and the cause, and fails appends clearly once full', () => {
      const full = join(tmpfs.dir!, 'queue.db');
      const filler = join(tmpfs.dir!, 'filler');
      // Leave room for the store to open, then fill the rest.
      const store = new SqliteQueueStore({ path: full });
      opened.push(store);
      const fill = () => {
        try {
          for (;;) writeFileSync(filler, Buffer.alloc(512, 1), { flag: 'a' });
        } catch (error) {
          expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
      };
      fill();
      expect(() => {
        for (let i = 0; i < 1_000; i++)
          store.append({ ...op(`id-${i}`), json: JSON.stringify({ pad: 'x'.repeat(1_000), i }) });
      }).toThrow(
        /SqliteQueueStore: could not append an operation in the queue file .*queue\.db: .*(full|SQLITE_FULL|IOERR)/i,
      );
      store.close();

      rmSync(full, { force: true });
      rmSync(`${full}-wal`, { force: true });
      fill();
      expect(() => new SqliteQueueStore({ path: full })).toThrow(
        /cannot open the queue file .*queue\.db: .*(full|SQLITE_FULL|IOERR)/i,
      );
    });
  });

  describe('with the queue', () => {
    const ctx = useQueueSandbox();

    it('delivers what it stores, and keeps nothing after', async () => {
      const store = open();
      ctx.subject = await createQueueApp(ctx.sandbox, { queue: { store } });
      const sent = Array.from({ length: 50 }, (_, i) => ctx.subject!.client.track(`u-${i % 7}`, 'stored', { i }).id);
      expect(store.size).toBe(50);
      await ctx.subject.client.flush();
      expect(store.size).toBe(0);
      expect(store.bytes).toBe(0);
      expectEachOnceOrReported(ctx.sandbox, sent, ctx.subject.log);
    });

    it('keeps what shutdown could not send, and the next application (another store on the file) delivers it once', async () => {
      const firstStore = open();
      const first = await createQueueApp(ctx.sandbox, {
        retry: { maxAttempts: 1 },
        queue: { store: firstStore, shutdownTimeoutMs: 100 },
      });
      ctx.sandbox.respondWith(503, { path: '/api/v2/batch' });
      const sent = Array.from({ length: 5 }, (_, i) => first.client.track(`u-${i % 2}`, 'kept', { i }).id);
      await first.app.close();
      expect(first.log.ids('undelivered')).toEqual([]);
      expect(firstStore.size).toBe(5);
      firstStore.close();
      expect(ctx.sandbox.events).toHaveLength(0);

      ctx.sandbox.clearFaults();
      const secondStore = open();
      expect(secondStore.size).toBe(5);
      ctx.subject = await createQueueApp(ctx.sandbox, { queue: { store: secondStore, flushIntervalMs: 20 } });
      await ctx.sandbox.waitFor(() => ctx.sandbox.events.length === 5, 2_000);
      expect(ctx.sandbox.events.map((e) => e.id)).toEqual(sent);
      await ctx.sandbox.waitFor(() => secondStore.size === 0, 1_000);
    });
  });
});
