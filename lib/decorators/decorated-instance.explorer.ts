import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DECORATED_METHOD } from './decorated-method.js';

/** Finds the instances of an application whose class has a method wrapped by `@TrackEvent` or `@Identify`. */
@Injectable()
export class DecoratedInstanceExplorer {
  constructor(private readonly discovery: DiscoveryService) {}

  /**
   * Every provider and controller instance of the application (singletons, and the static instances of TRANSIENT
   * providers) that has a decorated method, its own or inherited. REQUEST-scoped ones are not among them: they
   * are found through the incoming request instead.
   */
  instances(): object[] {
    const found: object[] = [];
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instances: unknown[] = wrapper.isTransient
        ? wrapper.getStaticTransientInstances().map((perContext) => perContext?.instance)
        : [wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined];
      for (const instance of instances) {
        if (instance && typeof instance === 'object' && hasDecoratedMethod(Object.getPrototypeOf(instance))) {
          found.push(instance);
        }
      }
    }
    return found;
  }
}

/** Whether `prototype` or one it inherits from (short of `Object.prototype`) has a decorated method. */
export function hasDecoratedMethod(prototype: object | null): boolean {
  for (let proto = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value as Record<symbol, unknown> | undefined;
      if (typeof value === 'function' && value[DECORATED_METHOD]) return true;
    }
  }
  return false;
}
