// Every ```ts block of the READMEs compiles against the built package (dist/, what `npm pack` ships).
// Blocks are checked together, as modules of one program: the events the typed-events block declares hold in every
// block. Names a fragment uses without declaring them (`client`, `user`, `AppModule`, …) are declared once, in CONTEXT.
// A line ending in `// error…` shows code that must not compile: it is checked to be a type error.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { READMES, ROOT, type ReadmeBlock, readmeBlocks } from './readme-blocks.js';

/** The names README fragments use without declaring them. */
const CONTEXT = `
import type { CustomerIOClient, CustomerIOModule as Module } from 'nestjs-customerio';
import type { expect as jestExpect } from '@jest/globals';

declare global {
  const client: CustomerIOClient;
  const user: { id: string; email: string };
  const siteId: string;
  const apiKey: string;
  const metrics: { increment(name: string, by?: number): void };
  const CustomerIOModule: typeof Module;
  class AppModule {}
  class SignupService {
    signUp(user: { id: string; email: string }): void;
  }
  const expect: typeof jestExpect;
}
export {};
`;

const DOCS = join(ROOT, 'test', 'docs');

/** Parsed declaration files (the package's, Nest's, Node's), shared by the programs of this file. */
const parsed = new Map<string, ts.SourceFile | undefined>();

/** The type errors of `blocks`, each as `README.md:LINE: message`. */
function typeErrors(blocks: readonly ReadmeBlock[]): string[] {
  const sources = new Map<string, string>([[join(DOCS, 'readme-context.ts'), CONTEXT]]);
  const origins = new Map<string, { readme: string; lines: number[] }>();
  for (const block of blocks) {
    const file = join(DOCS, `${block.readme.replaceAll('/', '-')}.line-${block.line}.ts`);
    const code: string[] = [];
    const lines: number[] = [];
    block.code.split('\n').forEach((text, index) => {
      if (/\/\/ error\b/.test(text)) {
        code.push('// @ts-expect-error');
        lines.push(block.line + index);
      }
      code.push(text);
      lines.push(block.line + index);
    });
    sources.set(file, `${code.join('\n')}\nexport {};\n`);
    origins.set(file, { readme: block.readme, lines });
  }

  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const options: ts.CompilerOptions = {
    ...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    paths: {
      'nestjs-customerio': [join(ROOT, 'dist', 'index.d.ts')],
      'nestjs-customerio/*': [join(ROOT, 'dist', '*', 'index.d.ts')],
    },
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => sources.has(file) || fileExists.call(host, file);
  host.readFile = (file) => sources.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = sources.get(file);
    if (text !== undefined) return ts.createSourceFile(file, text, language);
    if (!parsed.has(file)) parsed.set(file, getSourceFile.call(host, file, language, ...rest));
    return parsed.get(file);
  };

  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const origin = diagnostic.file && origins.get(diagnostic.file.fileName);
    if (!origin || diagnostic.start === undefined) return ts.formatDiagnostic(diagnostic, host);
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return `${origin.readme}:${origin.lines[line] ?? origin.lines.at(-1)}: ${message}`;
  });
}

/** Builds dist/ when it is missing or older than a file of lib/. */
function buildIfStale(): void {
  const built = join(ROOT, 'dist', 'index.d.ts');
  const newestSource = Math.max(
    ...readdirSync(join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' }).map(
      (file) => statSync(join(ROOT, 'lib', file)).mtimeMs,
    ),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}

describe('the TypeScript blocks of the READMEs', () => {
  beforeAll(buildIfStale, 120_000);

  const blocks = READMES.flatMap(readmeBlocks);

  it('are found: the README shows TypeScript', () => {
    expect(blocks.filter((block) => block.readme === 'README.md').length).toBeGreaterThanOrEqual(7);
  });

  it('compile against the built package, and each line marked `// error` is a type error', () => {
    expect(typeErrors(blocks)).toEqual([]);
  }, 60_000);

  it('are reported at their README line when they do not compile', () => {
    const broken = [
      {
        readme: 'README.md',
        line: 10,
        code: "import { CustomerIOClient } from 'nestjs-customerio';\n\nconst n: number = CustomerIOClient;",
      },
      {
        readme: 'README.md',
        line: 20,
        code: "client.track(user.id, 'signed_up', { plan: 'pro' }); // error: but it is fine",
      },
    ];
    expect(typeErrors(broken)).toEqual([
      expect.stringMatching(/^README\.md:12: Type 'typeof CustomerIOClient' is not assignable to type 'number'/),
      "README.md:20: Unused '@ts-expect-error' directive.",
    ]);
  }, 60_000);
});
