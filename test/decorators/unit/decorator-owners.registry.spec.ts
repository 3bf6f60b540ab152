/**
 * The owners registry on its own: which application's tracker serves an instance, the look-up of instances
 * called before their application claimed them, and the one warning a method called outside any application.
 */
import { describe, expect, it } from '@jest/globals';
import type {
  CallOutcome,
  DecoratedCallSpec,
  DecoratedCallTracker,
} from '../../../lib/decorators/decorated-call.interface.js';
import { DecoratorOwnersRegistry } from '../../../lib/decorators/decorator-owners.registry.js';

/** A tracker that claims the instances it is given, counting how often it is asked to. */
class ClaimingTracker implements DecoratedCallTracker {
  claims = 0;
  constructor(
    private readonly registry: DecoratorOwnersRegistry<ClaimingTracker>,
    readonly instances: object[] = [],
  ) {}
  claimInstances(): void {
    this.claims += 1;
    for (const instance of this.instances) this.registry.claim(instance, this);
  }
  settle(_spec: DecoratedCallSpec, _args: unknown[], _outcome: CallOutcome): void {}
}

describe('DecoratorOwnersRegistry', () => {
  it('answers the tracker that claimed an instance, and none for other instances and for non-objects', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const a = new ClaimingTracker(registry);
    const b = new ClaimingTracker(registry);
    const ofA = {};
    const ofB = Object.freeze({});
    registry.claim(ofA, a);
    registry.claim(ofB, b);
    expect(registry.ownerOf(ofA)).toBe(a);
    expect(registry.ownerOf(ofB)).toBe(b);
    expect(registry.ownerOf({})).toBeUndefined();
    for (const value of [undefined, null, 'text', 42, () => 1]) expect(registry.ownerOf(value)).toBeUndefined();
  });

  it('lets a later claim take an instance over', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const [a, b] = [new ClaimingTracker(registry), new ClaimingTracker(registry)];
    const instance = {};
    registry.claim(instance, a);
    registry.claim(instance, b);
    expect(registry.ownerOf(instance)).toBe(b);
  });

  it('counts the running trackers from start to stop', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const [a, b] = [new ClaimingTracker(registry), new ClaimingTracker(registry)];
    registry.start(a);
    registry.start(b);
    registry.start(a);
    expect(registry.running).toBe(2);
    registry.stop(a);
    expect(registry.running).toBe(1);
    registry.stop(b);
    registry.stop(b);
    expect(registry.running).toBe(0);
  });

  it('looks an instance up by asking every running tracker, and only running ones, to claim its instances', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const instance = {};
    const stopped = new ClaimingTracker(registry, [instance]);
    const other = new ClaimingTracker(registry, [{}]);
    const owner = new ClaimingTracker(registry, [instance]);
    registry.start(stopped);
    registry.stop(stopped);
    registry.start(other);
    registry.start(owner);
    expect(registry.lookUp(instance)).toBe(owner);
    expect([stopped.claims, other.claims, owner.claims]).toEqual([0, 1, 1]);
    expect(registry.ownerOf(instance)).toBe(owner);
  });

  it('remembers an instance found in no application and does not look it up again until forgetUnowned', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const instance = {};
    const tracker = new ClaimingTracker(registry);
    registry.start(tracker);
    expect(registry.lookUp(instance)).toBeUndefined();
    expect(registry.lookUp(instance)).toBeUndefined();
    expect(tracker.claims).toBe(1);

    tracker.instances.push(instance);
    expect(registry.lookUp(instance)).toBeUndefined();
    expect(tracker.claims).toBe(1);
    registry.forgetUnowned();
    expect(registry.lookUp(instance)).toBe(tracker);
    expect(tracker.claims).toBe(2);
  });

  it('never looks up a non-object', () => {
    const registry = new DecoratorOwnersRegistry<ClaimingTracker>();
    const tracker = new ClaimingTracker(registry);
    registry.start(tracker);
    for (const value of [undefined, null, 'text', 42]) expect(registry.lookUp(value)).toBeUndefined();
    expect(tracker.claims).toBe(0);
  });

  it('reports the first miss of each method once', () => {
    const registry = new DecoratorOwnersRegistry();
    expect(registry.firstMiss('A.b')).toBe(true);
    expect(registry.firstMiss('A.b')).toBe(false);
    expect(registry.firstMiss('A.c')).toBe(true);
    expect(new DecoratorOwnersRegistry().firstMiss('A.b')).toBe(true);
  });
});
