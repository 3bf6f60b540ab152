import { loadavg } from 'node:os';

// The verdict of `npm run bench`, shared by its parts (they run one after the other in one process, see
// launch.mjs). Only ratios have targets: two figures measured in the same run, on the same loaded machine,
// keep their proportion when absolute times do not. Absolute figures (µs, events/s, MB) are printed as
// information. The run fails only on a ratio short of its target, or on an error (a worker that crashed,
// events that did not arrive).

/** How a ratio must compare with its target. */
export type Comparison = '>=' | '<=' | '<';

interface Checked {
  name: string;
  value: string;
  target: string;
  verdict: 'PASS' | 'FAIL' | 'not measured';
  /** What bounds a ratio short of its target on this machine, when measured: printed beside FAIL. */
  bound?: string;
}

const checked: Checked[] = [];
const errors: string[] = [];

const meets = (value: number, comparison: Comparison, target: number): boolean =>
  comparison === '>=' ? value >= target : comparison === '<=' ? value <= target : value < target;

/** A verdict as printed: FAIL followed by what bounds the ratio, when known. */
const shown = ({ verdict, bound }: Checked): string =>
  verdict === 'FAIL' && bound ? `FAIL (bound: ${bound})` : verdict;

/**
 * Prints `name: value (target …) PASS|FAIL` and records the verdict. `bound` says what on this machine keeps the
 * ratio from its target (a resource measured saturated): printed with a FAIL, which stays a FAIL.
 */
export function checkRatio(
  name: string,
  value: number,
  comparison: Comparison,
  target: number,
  digits = 3,
  bound?: string,
): boolean {
  const pass = Number.isFinite(value) && meets(value, comparison, target);
  const entry: Checked = {
    name,
    value: value.toFixed(digits),
    target: `${comparison} ${target}`,
    verdict: pass ? 'PASS' : 'FAIL',
    bound,
  };
  checked.push(entry);
  console.log(`${name}: ${entry.value} (target ${entry.target}) ${shown(entry)}`);
  return pass;
}

/** Records a ratio that this run could not measure (its part was not selected, or a way it needs failed). */
export function skipRatio(name: string, comparison: Comparison, target: number, reason: string): void {
  checked.push({ name, value: '-', target: `${comparison} ${target}`, verdict: 'not measured' });
  console.log(`${name}: not measured (${reason})`);
}

/** Records and prints an error of a part: the run fails. */
export function benchError(part: string, message: string): void {
  errors.push(`${part}: ${message}`);
  console.error(`ERROR ${part}: ${message}`);
}

/** Prints every ratio with its target and verdict, then the result; sets the exit code. */
export function finish(startedMs: number): void {
  console.log('\n[ratio targets] every ratio of this run, its target and its verdict');
  const width = Math.max(0, ...checked.map(({ name }) => name.length));
  for (const entry of checked) {
    const { name, value, target } = entry;
    console.log(`${`${name}:`.padEnd(width + 1)} ${value.padStart(8)}  target ${target.padEnd(8)} ${shown(entry)}`);
  }
  const failed = checked
    .filter(({ verdict }) => verdict === 'FAIL')
    .map(({ name, bound }) => `${name} short of its target${bound ? ` (bound: ${bound})` : ''}`);
  const passed = checked.filter(({ verdict }) => verdict === 'PASS').length;
  console.log(
    `ratio_targets: ${passed} PASS, ${failed.length} FAIL, ${checked.length - passed - failed.length} not measured`,
  );
  console.log(`load_average_1m_at_end: ${loadavg()[0].toFixed(2)}`);
  console.log(`run_s: ${((performance.now() - startedMs) / 1_000).toFixed(1)}`);
  const reasons = [...errors, ...failed];
  console.log(`result: ${reasons.length === 0 ? 'PASS' : `FAIL (${reasons.length}: ${reasons.join('; ')})`}`);
  process.exitCode = reasons.length === 0 ? 0 : 1;
}
