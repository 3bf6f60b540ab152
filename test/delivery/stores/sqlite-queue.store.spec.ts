import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type BetterSqlite3 from 'better-sqlite3';
import type { QueuedOperation } from '../../../lib/stores/index.js';
import { SqliteQueueStore } from '../../../lib/stores/sqlite/sqlite-queue.store.js';
import { expectEachOnceOrReported } from '../../support/delivery-assertions.js';
import { QUEUE_SUITE_SETUP, useTestApp } from '../../support/test-app.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

function op(id: string, key = 'k', attempts = 0): QueuedOperation {
  const json = JSON.stringify({ type: 'person', identifiers: { id: key }, action: 'event', name: 'e', id });
  return { id, key, json, bytes: Buffer.byteLength(json), attempts };
}

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

  // NOTE: the store contract runs on this store in queue-store.contract.spec.ts; here, what is its own.
  describe('beyond the store contract', () => {
    it('refuses to acknowledge an operation it did not lease, naming it', () => {
      const store = open();
      store.append(op('a'));
      const leased = store.lease(unlimited);
      store.acknowledge(leased);
      expect(() => store.acknowledge(leased)).toThrow(/operation a is not leased from this store/);
    });

    it.each(['tick', 'append'] as const)(
      'leases what is appended once the queue emptied, which SQLite gives the seqs of the rows deleted (commit: %s)',
      async (commit) => {
        const store = open({ commit });
        await Promise.all(['a', 'b', 'c'].map((id) => store.append(op(id, id))));
        store.acknowledge(store.lease(unlimited));
        await store.append(op('d', 'd'));
        expect(Array.from(store.lease(unlimited), ({ id }) => id)).toEqual(['d']);
        await store.append(op('e', 'e'));
        expect(store.dropOldest()?.id).toBe('e');
      },
    );

    // The store leases the operations it committed last from memory, and the others from the file: these cross the
    // line between the two, and the limits of what it keeps in memory (8,192 operations).
    it.each(['tick', 'append'] as const)(
      'leases in append order, once each, with their attempts, across what it reads back and what it keeps (commit: %s)',
      async (commit) => {
        const store = open({ commit });
        const ids = (operations: readonly QueuedOperation[]) => Array.from(operations, ({ id }) => id);
        const append = (from: number, count: number) =>
          Promise.all(
            Array.from({ length: count }, (_, i) => store.append(op(`id-${from + i}`, `k${(from + i) % 3}`))),
          );
        await append(0, 9_000); // behind: more waiting than it keeps
        const first = store.lease({ maxOperations: 5_000, maxBytes: 10_000_000 });
        expect(ids(first)).toEqual(Array.from({ length: 5_000 }, (_, i) => `id-${i}`));
        store.acknowledge(first);
        await append(9_000, 100); // caught up: kept
        const [a, ...rest] = store.lease({ maxOperations: 10_000, maxBytes: 10_000_000 });
        expect([a.id, ...ids(rest)]).toEqual(Array.from({ length: 4_100 }, (_, i) => `id-${5_000 + i}`));
        const last = rest.at(-1)!;
        [a.attempts, last.attempts] = [2, 3];
        store.release([a, last]);
        store.acknowledge(rest.slice(0, -1));
        const again = store.lease(unlimited);
        expect(Array.from(again, ({ id, attempts }) => [id, attempts])).toEqual([
          ['id-5000', 2],
          ['id-9099', 3],
        ]);
        store.acknowledge(again);
        // A queue that keeps up (a little behind: the table never empties, which would start its seqs at 1 again),
        // over many times what is kept in memory: every operation once, in order.
        const leased: string[] = [];
        for (let i = 0; i < 200; i++) {
          await append(10_000 + i * 100, 100);
          const batch = store.lease({ maxOperations: i % 5 === 4 ? 400 : 0, maxBytes: 10_000_000 });
          leased.push(...ids(batch));
          store.acknowledge(batch);
        }
        const remaining = store.lease({ maxOperations: 10_000, maxBytes: 10_000_000 });
        store.acknowledge(remaining);
        expect([...leased, ...ids(remaining)]).toEqual(Array.from({ length: 20_000 }, (_, i) => `id-${10_000 + i}`));
        expect(store.size).toBe(0);
      },
      20_000,
    );

    it('once closed, says so and names its file when used', () => {
      const store = open();
      store.close();
      expect(store.open).toBe(false);
      expect(() => store.append(op('late'))).toThrow(/the queue file .*queue\.db was closed/);
    });

    it('refuses a second store on a file in use', () => {
      open();
      expect(() => open({ lockTimeoutMs: 50 })).toThrow(/queue file .*queue\.db is in use by another process or store/);
    });

    it.each([
      [{ commit: 'batch' as 'tick' }, /option commit must be 'tick' or 'append', got 'batch'/],
      [{ synchronous: 'off' as 'full' }, /option synchronous must be 'normal' or 'full', got 'off'/],
      [{ lockTimeoutMs: -1 }, /option lockTimeoutMs must be a whole number of ms from 0, got -1/],
    ])('refuses a bad option with a RangeError naming it, before touching the file (%o)', (options, message) => {
      expect(() => open(options)).toThrow(RangeError);
      expect(() => open(options)).toThrow(message);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  describe("group commit (commit: 'tick', the default)", () => {
    const committed = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT id FROM operations ORDER BY seq').pluck().all() as string[];
      } finally {
        db.close();
      }
    };

    it('commits the appends of one turn together after it: counted at once, their promises resolved at the commit', async () => {
      const store = open();
      const appended = ['a', 'b', 'c'].map((id) => store.append(op(id, id)));
      expect(appended.every((answer) => answer instanceof Promise)).toBe(true);
      expect(new Set(appended).size).toBe(1); // one group
      expect([store.size, store.bytes]).toEqual([3, 3 * op('a', 'a').bytes]);
      expect(store.oldestId()).toBe('a');
      await appended[0];
      store.close();
      expect(committed(path)).toEqual(['a', 'b', 'c']);
    });

    it('commits what waits before a lease, a drop, a lookup or close reads the queue', async () => {
      const store = open();
      const first = store.append(op('a1', 'a'));
      expect(Array.from(store.lease(unlimited), ({ id }) => id)).toEqual(['a1']);
      await first;
      const second = [store.append(op('b1', 'b')), store.append(op('c1', 'c'))];
      expect(store.dropOldest()?.id).toBe('b1');
      expect(store.has('c1')).toBe(true);
      await Promise.all(second);
      const last = store.append(op('d1', 'd'));
      store.close();
      await last;
      expect(committed(path)).toEqual(['a1', 'c1', 'd1']);
    });

    it('a turn of more than 1,000 appends commits by groups of 1,000', async () => {
      const store = open();
      const appended = Array.from({ length: 2_500 }, (_, i) => store.append(op(`id-${i}`, `k${i % 7}`)));
      expect(new Set(appended).size).toBe(3);
      expect(store.size).toBe(2_500);
      await Promise.all(appended);
      store.close();
      expect(committed(path)).toHaveLength(2_500);
    });

    it('rejects every append of a group whose commit failed, keeps none of them, and counts them out', async () => {
      const store = open();
      await store.append(op('kept'));
      const group = [store.append(op('a')), store.append({ ...op('bad'), json: null as unknown as string })];
      await expect(group[0]).rejects.toThrow(
        /SqliteQueueStore: could not commit 2 appended operations in the queue file .*queue\.db: .*NOT NULL constraint failed: operations\.json/,
      );
      expect([store.size, store.bytes]).toEqual([1, op('kept').bytes]);
      expect(Array.from(store.lease(unlimited), ({ id }) => id)).toEqual(['kept']);
      await expect(store.append(op('after'))).resolves.toBeUndefined();
      store.close();
      expect(committed(path)).toEqual(['kept', 'after']);
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

    const full = () => join(tmpfs.dir!, 'queue.db');
    const filler = () => join(tmpfs.dir!, 'filler');
    const fill = () => {
      try {
        for (;;) writeFileSync(filler(), Buffer.alloc(512, 1), { flag: 'a' });
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
    };
    const padded = (i: number) => ({ ...op(`id-${i}`), json: JSON.stringify({ pad: 'x'.repeat(1_000), i }) });
    afterEach(() => {
      if (!tmpfs.dir) return;
      for (const store of opened.splice(0)) store.close();
      for (const file of readdirSync(tmpfs.dir)) rmSync(join(tmpfs.dir, file), { force: true });
    });

    withTmpfs(
      "commit: 'tick': rejects the appends whose commit failed once full; those that resolved are kept",
      async () => {
        // Leave room for the store to open, then fill the rest.
        const store = new SqliteQueueStore({ path: full() });
        opened.push(store);
        fill();
        truncateSync(filler(), Math.max(0, statSync(filler()).size - 32_768)); // room for a few groups
        const answers: Promise<unknown>[] = [];
        for (let i = 0; i < 1_000; i++) {
          answers.push(Promise.resolve(store.append(padded(i))).catch((error: unknown) => error));
          if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve)); // groups of 10
        }
        const errors = (await Promise.all(answers)).filter(Boolean);
        const kept = answers.length - errors.length;
        expect(kept).toBeGreaterThan(0);
        expect(String(errors[0])).toMatch(
          /SqliteQueueStore: could not commit \d+ appended operations? in the queue file .*queue\.db: .*(full|SQLITE_FULL|IOERR)/i,
        );
        expect(store.size).toBe(kept);
        store.close();
        rmSync(filler(), { force: true });
        const reopened = new SqliteQueueStore({ path: full() });
        opened.push(reopened);
        expect(reopened.size).toBe(kept);
      },
    );

    withTmpfs(
      "commit: 'append': fails at start-up naming the path and the cause, and fails appends clearly once full",
      () => {
        // Leave room for the store to open, then fill the rest.
        const store = new SqliteQueueStore({ path: full(), commit: 'append' });
        opened.push(store);
        fill();
        expect(() => {
          for (let i = 0; i < 1_000; i++) store.append(padded(i));
        }).toThrow(
          /SqliteQueueStore: could not append an operation in the queue file .*queue\.db: .*(full|SQLITE_FULL|IOERR)/i,
        );
        store.close();

        rmSync(full(), { force: true });
        rmSync(`${full()}-wal`, { force: true });
        fill();
        expect(() => new SqliteQueueStore({ path: full() })).toThrow(
          /cannot open the queue file .*queue\.db: .*(full|SQLITE_FULL|IOERR)/i,
        );
      },
    );
  });

  describe('with the queue', () => {
    const ctx = useTestApp(QUEUE_SUITE_SETUP);

    it('delivers what it stores, and keeps nothing after', async () => {
      const store = open();
      ctx.subject = await ctx.start({ queue: { store } });
      const sent = Array.from({ length: 50 }, (_, i) => ctx.subject!.client.track(`u-${i % 7}`, 'stored', { i }).id);
      expect(store.size).toBe(50);
      await ctx.subject.client.flush();
      expect(store.size).toBe(0);
      expect(store.bytes).toBe(0);
      expectEachOnceOrReported(ctx.sandbox, sent, ctx.subject.log);
    });

    it('keeps what shutdown could not send, and the next application (another store on the file) delivers it once', async () => {
      const firstStore = open();
      const first = await ctx.start({
        retry: { maxAttempts: 1 },
        queue: { store: firstStore, shutdownTimeoutMs: 100 },
      });
      ctx.sandbox.respondWith(503, { path: '/api/v2/batch' });
      const sent = Array.from({ length: 5 }, (_, i) => first.client.track(`u-${i % 2}`, 'kept', { i }).id);
      await first.close();
      expect(first.log.ids('undelivered')).toEqual([]);
      expect(firstStore.size).toBe(5);
      firstStore.close();
      expect(ctx.sandbox.events).toHaveLength(0);

      ctx.sandbox.clearFaults();
      const secondStore = open();
      expect(secondStore.size).toBe(5);
      ctx.subject = await ctx.start({ queue: { store: secondStore, flushIntervalMs: 20 } });
      await ctx.sandbox.waitFor(() => ctx.sandbox.events.length === 5, 2_000);
      expect(ctx.sandbox.events.map((e) => e.id)).toEqual(sent);
      await ctx.sandbox.waitFor(() => secondStore.size === 0, 1_000);
    });
  });
});
