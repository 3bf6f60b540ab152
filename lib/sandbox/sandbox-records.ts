import type {
  SandboxAlias,
  SandboxBatch,
  SandboxBroadcast,
  SandboxCounts,
  SandboxDroppedCall,
  SandboxEvent,
  SandboxFormSubmission,
  SandboxMerge,
  SandboxObject,
  SandboxPerson,
  SandboxRequestRecord,
  SandboxTransactional,
  SandboxUnsubscribe,
} from './sandbox-records.interface.js';

/** The recorded collections kept as lists, by name (internal). */
interface SandboxLists {
  requests: SandboxRequestRecord;
  events: SandboxEvent;
  batches: SandboxBatch;
  deletedPeople: string;
  merges: SandboxMerge;
  metrics: Record<string, unknown>;
  transactional: SandboxTransactional;
  broadcasts: SandboxBroadcast;
  unsubscribes: SandboxUnsubscribe;
  forms: SandboxFormSubmission;
  aliases: SandboxAlias;
  droppedCalls: SandboxDroppedCall;
}

/** Why a batch, or one of its items (`index`), was not applied (internal). */
export interface BatchProblem {
  /** The item's index in the batch; absent when the whole request was refused or dropped. */
  index?: number;
  /** Why, e.g. `email: must be a string` or `request is larger than 500000 bytes`. */
  reason: string;
}

const noCounts = (): SandboxCounts => ({
  requests: 0,
  events: 0,
  batches: 0,
  people: 0,
  deletedPeople: 0,
  merges: 0,
  metrics: 0,
  transactional: 0,
  broadcasts: 0,
  objects: 0,
  unsubscribes: 0,
  forms: 0,
  aliases: 0,
  droppedCalls: 0,
});

/**
 * What the sandbox recorded (internal), each collection bounded by `maxRecords`: a list drops its oldest
 * entry, `people` the person least recently written, the deduplication window its oldest event id.
 * `counts` keep counting what was dropped.
 */
export class SandboxRecords {
  /** Requests received. */
  readonly requests: SandboxRequestRecord[] = [];
  /** Accepted events, page views and screens. */
  readonly events: SandboxEvent[] = [];
  /** `POST /api/v2/batch` and `POST /v1/batch` requests past faults and authentication. */
  readonly batches: SandboxBatch[] = [];
  /** Identifiers of deleted people. */
  readonly deletedPeople: string[] = [];
  /** Accepted merges. */
  readonly merges: SandboxMerge[] = [];
  /** Bodies of push metrics requests. */
  readonly metrics: Record<string, unknown>[] = [];
  /** Accepted transactional messages. */
  readonly transactional: SandboxTransactional[] = [];
  /** Accepted broadcast triggers. */
  readonly broadcasts: SandboxBroadcast[] = [];
  /** Unsubscribe requests. */
  readonly unsubscribes: SandboxUnsubscribe[] = [];
  /** Accepted form submissions. */
  readonly forms: SandboxFormSubmission[] = [];
  /** Accepted Pipelines aliases. */
  readonly aliases: SandboxAlias[] = [];
  /** What the Pipelines API would drop while answering 200. */
  readonly droppedCalls: SandboxDroppedCall[] = [];
  /** Objects by key, least recently written first. */
  readonly objects = new Map<string, SandboxObject>();
  /** Manual segments' members, by segment id: people stored like `people`'s keys. */
  readonly segments = new Map<number, Set<string>>();
  /** People by identifier, least recently written first. */
  readonly people = new Map<string, SandboxPerson>();
  /** Events ignored because their `id` was seen before, and Pipelines calls because their `messageId` was. */
  duplicateEvents = 0;
  #counts = noCounts();
  readonly #eventIds = new Set<string>();
  // NOTE: weak, so what the inspector shows of an entry goes with the entry when its list drops it
  readonly #arrivals = new WeakMap<object, number>();
  readonly #batchProblems = new WeakMap<SandboxBatch, readonly BatchProblem[]>();

  /** @param maxRecords most entries kept a collection (see `CustomerIOSandboxOptions.maxRecords`) */
  constructor(readonly maxRecords: number) {}

  /** Totals since start or the last {@link reset}, dropped entries included. */
  get counts(): SandboxCounts {
    return { ...this.#counts };
  }

  /** Appends `entry` to the list `name`, dropping the list's oldest entry past `maxRecords`. */
  add<K extends keyof SandboxLists>(name: K, entry: SandboxLists[K]): void {
    const list = this[name] as SandboxLists[K][];
    list.push(entry);
    if (typeof entry === 'object') this.#arrivals.set(entry, Date.now());
    this.#counts[name] += 1;
    if (list.length > this.maxRecords) list.shift();
  }

  /** `Date.now()` when `entry` was added to its list, while the list holds it. */
  arrivedAt(entry: object): number | undefined {
    return this.#arrivals.get(entry);
  }

  /** Appends `batch` to `batches` with the items it did not apply (none: all were). */
  addBatch(batch: SandboxBatch, problems: readonly BatchProblem[]): void {
    this.add('batches', batch);
    if (problems.length > 0) this.#batchProblems.set(batch, problems);
  }

  /** What `batch` did not apply, as given to {@link addBatch}. */
  batchProblems(batch: SandboxBatch): readonly BatchProblem[] {
    return this.#batchProblems.get(batch) ?? [];
  }

  /** The person stored under `personId`, created empty if absent; either way now the most recently written. */
  person(personId: string): SandboxPerson {
    let person = this.people.get(personId);
    if (person) this.people.delete(personId);
    else {
      person = { id: personId, attributes: {}, devices: {}, suppressed: false };
      this.#counts.people += 1;
    }
    this.people.set(personId, person);
    if (this.people.size > this.maxRecords) this.people.delete(this.people.keys().next().value as string);
    return person;
  }

  /**
   * Merges the person stored under `sourceKey`, if any and not the target, into the person stored under `targetKey`
   * (created if absent, now the most recently written): the source's attributes and devices are copied where the
   * target has none, then the source is removed. Returns the target.
   */
  mergePerson(sourceKey: string, targetKey: string): SandboxPerson {
    const target = this.person(targetKey);
    const source = this.people.get(sourceKey);
    if (source && source !== target) {
      target.attributes = { ...source.attributes, ...target.attributes };
      target.devices = { ...source.devices, ...target.devices };
      this.people.delete(sourceKey);
    }
    return target;
  }

  /** The object stored under `key`, created empty if absent; either way now the most recently written. */
  object(key: string): SandboxObject {
    let object = this.objects.get(key);
    if (object) this.objects.delete(key);
    else {
      object = { key, attributes: {}, relationships: {} };
      this.#counts.objects += 1;
    }
    this.objects.set(key, object);
    if (this.objects.size > this.maxRecords) this.objects.delete(this.objects.keys().next().value as string);
    return object;
  }

  /**
   * Whether an event `id` (or a Pipelines `messageId`) is within the deduplication window (then it counts a duplicate); otherwise
   * remembers it, forgetting the oldest id past `maxRecords`.
   */
  isDuplicateEvent(id: string): boolean {
    if (this.#eventIds.has(id)) {
      this.duplicateEvents += 1;
      return true;
    }
    this.#eventIds.add(id);
    if (this.#eventIds.size > this.maxRecords) this.#eventIds.delete(this.#eventIds.values().next().value as string);
    return false;
  }

  /** Forgets everything and zeroes the counts, keeping the same collections. */
  reset(): void {
    for (const list of [
      this.requests,
      this.events,
      this.batches,
      this.deletedPeople,
      this.merges,
      this.metrics,
      this.transactional,
      this.broadcasts,
      this.unsubscribes,
      this.forms,
      this.aliases,
      this.droppedCalls,
    ]) {
      list.length = 0;
    }
    this.people.clear();
    this.objects.clear();
    this.segments.clear();
    this.#eventIds.clear();
    this.duplicateEvents = 0;
    this.#counts = noCounts();
  }
}
