// The README's testing example, run as it is written: its block is read from the README and run against the app
// of the README's "Using the client" example, so the two cannot drift apart.
import { Module, type Type } from '@nestjs/common';
import * as nestCommon from '@nestjs/common';
import * as nestTesting from '@nestjs/testing';
import { afterEach, describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import * as library from '../../lib/index.js';
import * as testing from '../../lib/testing/index.js';
import { type ReadmeBlock, readmeBlocks } from './readme-blocks.js';

/** Apps and sandboxes a block opened: closed after it, so that an example that fails half-way leaves nothing open. */
const opened: { close(): Promise<unknown> }[] = [];
const track = <T extends { close(): Promise<unknown> }>(value: T): T => {
  opened.push(value);
  return value;
};

/** What the README's blocks import, by the names they import it by; what they open is tracked. */
const MODULES: Record<string, unknown> = {
  '@nestjs/common': nestCommon,
  '@nestjs/testing': {
    ...nestTesting,
    Test: {
      createTestingModule: (metadata: nestCommon.ModuleMetadata) => {
        const builder = nestTesting.Test.createTestingModule(metadata);
        const compile = builder.compile.bind(builder);
        builder.compile = async (...args) => track(await compile(...args));
        return builder;
      },
    },
  },
  'nestjs-customerio': library,
  'nestjs-customerio/testing': {
    ...testing,
    CustomerIOSandbox: {
      start: async (...args: Parameters<typeof testing.CustomerIOSandbox.start>) =>
        track(await testing.CustomerIOSandbox.start(...args)),
    },
  },
};

const AsyncFunction = (async () => {}).constructor as new (
  ...parameters: string[]
) => (...args: unknown[]) => Promise<void>;

/** The README block that contains `text`. */
function blockContaining(text: string): ReadmeBlock {
  const found = readmeBlocks('README.md').filter((block) => block.code.includes(text));
  if (found.length !== 1) throw new Error(`expected one README block containing ${text}, found ${found.length}`);
  return found[0];
}

/** Runs a block as the body of a module: its imports come from MODULES, its free names from `globals`; returns its exports. */
async function runBlock(block: ReadmeBlock, globals: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { outputText } = ts.transpileModule(block.code, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  const exports: Record<string, unknown> = {};
  const require = (id: string): unknown => {
    if (!(id in MODULES))
      throw new Error(`README.md:${block.line}: the block imports ${id}, which this test does not provide`);
    return MODULES[id];
  };
  await new AsyncFunction('require', 'exports', ...Object.keys(globals), outputText)(
    require,
    exports,
    ...Object.values(globals),
  );
  return exports;
}

describe("the README's testing example", () => {
  afterEach(async () => {
    // NOTE: the app first, then the sandbox it sends to; closing what the example already closed is harmless.
    for (const value of opened.splice(0).reverse()) await value.close().catch(() => undefined);
  });

  it('passes as written, against the SignupService of "Using the client"', async () => {
    const { SignupService } = await runBlock(blockContaining('export class SignupService'));
    @Module({
      imports: [
        library.CustomerIOModule.forRoot({ siteId: 'replaced-by-the-sandbox', apiKey: 'replaced-too', isGlobal: true }),
      ],
      providers: [SignupService as Type],
    })
    class AppModule {}

    await runBlock(blockContaining('CustomerIOSandbox.start()'), { AppModule, SignupService, expect });
  }, 20_000);
});
