import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The READMEs whose TypeScript blocks are checked. */
export const READMES = ['README.md', 'sample-app/README.md'];

/** A ```ts block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** Line of the README the block's first line of code is on (1-based). */
  readonly line: number;
  readonly code: string;
}

/** Every ```ts block of `readme`, in order. */
export function readmeBlocks(readme: string): ReadmeBlock[] {
  const lines = readFileSync(join(ROOT, readme), 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  let start = -1;
  lines.forEach((text, index) => {
    if (start < 0 && /^```ts\s*$/.test(text)) start = index + 1;
    else if (start >= 0 && /^```\s*$/.test(text)) {
      blocks.push({ readme, line: start + 1, code: lines.slice(start, index).join('\n') });
      start = -1;
    }
  });
  return blocks;
}
