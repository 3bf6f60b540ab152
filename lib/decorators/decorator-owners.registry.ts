import type { DecoratedCallTracker } from './decorated-call.interface.js';

/**
 * Which application's tracker serves each instance that has decorated methods (internal). NOTE: process-wide, not
 * a provider: a method is wrapped once, when its class is decorated, and its calls reach no injector, while every
 * Nest application in the process has a tracker of its own.
 */
export class DecoratorOwnersRegistry<T extends DecoratedCallTracker = DecoratedCallTracker> {
  /** NOTE: kept here, not on the user's object, which may be frozen. */
  readonly #owners = new WeakMap<object, T>();
  /** Trackers from their construction (before any onModuleInit) to their application's shutdown. */
  readonly #running = new Set<T>();
  /** Instances looked up and found in no application, until {@link forgetUnowned}. */
  #unowned = new WeakSet<object>();
  /** Labels of the decorated methods already reported as called outside any application. */
  readonly #missed = new Set<string>();

  /** How many trackers are running. */
  get running(): number {
    return this.#running.size;
  }

  /** Counts `tracker` as running (from its construction). */
  start(tracker: T): void {
    this.#running.add(tracker);
  }

  /** Stops counting `tracker` as running (at its application's shutdown); what it claimed stays its own. */
  stop(tracker: T): void {
    this.#running.delete(tracker);
  }

  /** Records `instance` as served by `tracker`. */
  claim(instance: object, tracker: T): void {
    this.#owners.set(instance, tracker);
  }

  /** Forgets which instances were found in no application: one that claimed its instances may own them now. */
  forgetUnowned(): void {
    this.#unowned = new WeakSet();
  }

  /** The tracker that claimed `instance`, if any. */
  ownerOf(instance: unknown): T | undefined {
    return isObject(instance) ? this.#owners.get(instance) : undefined;
  }

  /**
   * The tracker of an instance called before its application's onModuleInit: every running tracker claims its
   * instances again. An instance found in none is remembered, and not looked up again until {@link forgetUnowned}.
   */
  lookUp(instance: unknown): T | undefined {
    if (!isObject(instance) || this.#unowned.has(instance)) return undefined;
    for (const tracker of this.#running) tracker.claimInstances();
    const owner = this.#owners.get(instance);
    if (!owner) this.#unowned.add(instance);
    return owner;
  }

  /** Whether this is the first call of the method `label` found in no application (then it is remembered). */
  firstMiss(label: string): boolean {
    if (this.#missed.has(label)) return false;
    this.#missed.add(label);
    return true;
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** The process's registry, shared by the trackers of every application in it. */
export const decoratorOwners = new DecoratorOwnersRegistry();
