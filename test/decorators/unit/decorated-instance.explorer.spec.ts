/**
 * The explorer on its own, in a real Nest application: which provider and controller instances have a method
 * wrapped by a decorator of this library.
 */
import { Controller, Get, Injectable, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from '@jest/globals';
import { DecoratedInstanceExplorer, hasDecoratedMethod } from '../../../lib/decorators/decorated-instance.explorer.js';
import { wrapMethod } from '../../../lib/decorators/decorated-method.js';

/** Wraps a method as `@TrackEvent` does, tracking nothing. */
const Wrapped = (_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void =>
  wrapMethod(descriptor, () => undefined);

@Injectable()
class Decorated {
  @Wrapped
  run(): number {
    return 1;
  }
}

@Injectable()
class Plain {
  run(): number {
    return 1;
  }
}

@Injectable()
class Inheriting extends Decorated {}

@Injectable()
class WithStatic {
  @Wrapped
  static run(): number {
    return 1;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class Transient {
  @Wrapped
  run(): number {
    return 1;
  }
}

@Injectable()
class TransientUserA {
  constructor(readonly helper: Transient) {}
}

@Injectable()
class TransientUserB {
  constructor(readonly helper: Transient) {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @Wrapped
  run(): number {
    return 1;
  }
}

@Controller('decorated')
class DecoratedController {
  @Get()
  @Wrapped
  get(): number {
    return 1;
  }
}

@Controller('plain')
class PlainController {
  @Get()
  get(): number {
    return 1;
  }
}

describe('hasDecoratedMethod', () => {
  it('finds a wrapped method on the prototype or one it inherits from, not a static one nor a plain one', () => {
    expect(hasDecoratedMethod(Decorated.prototype)).toBe(true);
    expect(hasDecoratedMethod(Inheriting.prototype)).toBe(true);
    expect(hasDecoratedMethod(Plain.prototype)).toBe(false);
    expect(hasDecoratedMethod(WithStatic.prototype)).toBe(false);
    expect(hasDecoratedMethod(Object.prototype)).toBe(false);
    expect(hasDecoratedMethod(null)).toBe(false);
  });

  it('ignores accessors, which it must not call', () => {
    let read = false;
    class WithGetter {
      get value(): number {
        read = true;
        return 1;
      }
    }
    expect(hasDecoratedMethod(WithGetter.prototype)).toBe(false);
    expect(read).toBe(false);
  });
});

describe('DecoratedInstanceExplorer', () => {
  it("finds the application's singletons, controllers and static transient instances with a decorated method", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        DecoratedInstanceExplorer,
        Decorated,
        Plain,
        Inheriting,
        WithStatic,
        Transient,
        TransientUserA,
        TransientUserB,
        PerRequest,
      ],
      controllers: [DecoratedController, PlainController],
    }).compile();
    try {
      const found = moduleRef.get(DecoratedInstanceExplorer).instances();
      const a = moduleRef.get(TransientUserA).helper;
      const b = moduleRef.get(TransientUserB).helper;
      expect(a).not.toBe(b);
      expect(new Set(found)).toEqual(
        new Set([moduleRef.get(Decorated), moduleRef.get(Inheriting), moduleRef.get(DecoratedController), a, b]),
      );
      expect(found.some((instance) => instance instanceof PerRequest)).toBe(false);
    } finally {
      await moduleRef.close();
    }
  });
});
