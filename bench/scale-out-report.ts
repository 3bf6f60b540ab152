import { availableParallelism } from 'node:os';
import { median, medianItem } from './measure.js';
import { type InstanceResult, SCALE_OUT_EVENTS, type SinkStats } from './protocol.js';
import { fixed, line } from './report.js';
import { checkRatio, skipRatio } from './targets.js';

// What the scale-out part prints: each run's aggregate rate and where its CPU went, then the ratio of 3 instances to
// 1 with its target and, when it falls short, what bounds it on this machine: a resource seen saturated, or a
// ceiling that the CPU each event costs sets.

/** One run of the scale-out part: `count` instances sharing one queue. */
export interface ScaleOutRun {
  count: number;
  /** From `go` to the arrival of the last request at the sink. */
  wallMs: number;
  /** From `go` to the moment the sink was seen holding every event: the window of the CPU figures. */
  windowMs: number;
  instances: InstanceResult[];
  sink: SinkStats;
  /** CPU time redis-server spent in the window (INFO cpu). */
  redisCpuMs: number;
  /** The machine's busy share of its CPU time in the window (/proc/stat), all processes; undefined off Linux. */
  machineBusy?: number;
}

const TARGET = 2;
// NOTE: a resource busy this share of its time or more is taken as saturated.
const SATURATED = 0.9;
const cores = availableParallelism();

/** Aggregate events/s: every instance's events over the run's wall time. */
export const eventsPerS = (run: ScaleOutRun): number => SCALE_OUT_EVENTS / (run.wallMs / 1_000);
const clientCpuMs = (run: ScaleOutRun): number => run.instances.reduce((sum, { cpuMs }) => sum + cpuMs, 0);
/** CPU time of every process of the run: the instances, redis-server and the sink. */
const benchCpuMs = (run: ScaleOutRun): number => clientCpuMs(run) + run.redisCpuMs + run.sink.cpuMs;
const usPerEvent = (cpuMs: number): string => fixed((cpuMs * 1_000) / SCALE_OUT_EVENTS, 2);
const pct = (share: number): string => `${Math.round(share * 100)}%`;

/** A rate the run's CPU per event allows: on all the machine's cores, on redis-server's one core, on the sink's. */
interface Ceiling {
  key: 'machine' | 'redis' | 'sink';
  what: string;
  eventsPerS: number;
}

const ceilings = (run: ScaleOutRun): Ceiling[] => [
  { key: 'machine', what: `${cores} CPUs`, eventsPerS: SCALE_OUT_EVENTS / (benchCpuMs(run) / 1_000 / cores) },
  { key: 'redis', what: "redis-server's one core", eventsPerS: SCALE_OUT_EVENTS / (run.redisCpuMs / 1_000) },
  { key: 'sink', what: "the sink's one core", eventsPerS: SCALE_OUT_EVENTS / (run.sink.cpuMs / 1_000) },
];

/** Share of the run's window each was busy: the instances and the whole run of the cores, Redis and the sink of one. */
const busy = (run: ScaleOutRun) => ({
  clients: clientCpuMs(run) / (run.windowMs * cores),
  bench: benchCpuMs(run) / (run.windowMs * cores),
  redis: run.redisCpuMs / run.windowMs,
  sink: run.sink.cpuMs / run.windowMs,
});

/** What was saturated in the run, if anything: the machine's cores, redis-server's one core, the sink's. */
function saturated(run: ScaleOutRun): string[] {
  const found: string[] = [];
  const { bench, redis, sink } = busy(run);
  const machine = run.machineBusy ?? bench;
  if (machine >= SATURATED) {
    const other = run.machineBusy === undefined ? '' : `, other work ${pct(Math.max(0, machine - bench))}`;
    found.push(`${cores} CPUs busy ${pct(machine)} (the run's ${run.count + 2} processes ${pct(bench)}${other})`);
  }
  if (redis >= SATURATED) found.push(`redis-server busy ${pct(redis)} of its one core`);
  if (sink >= SATURATED) found.push(`the sink busy ${pct(sink)} of its one core`);
  return found;
}

function printRun(run: ScaleOutRun, rounds: number): void {
  const name = `scale_out_${run.count}`;
  const each = (value: (instance: InstanceResult) => string): string => run.instances.map(value).join(' | ');
  const ofRounds = rounds > 1 ? `; its median of ${rounds} rounds by events/s` : '';
  console.log(
    `\n[scale-out-${run.count}] ${run.count} instance${run.count > 1 ? 's' : ''} sharing one Redis queue${ofRounds}`,
  );
  line(`${name}_events_per_s`, Math.round(eventsPerS(run)));
  line(`${name}_wall_ms`, fixed(run.wallMs));
  line(
    `${name}_enqueued_by_instance`,
    each(({ enqueued }) => String(enqueued)),
  );
  line(
    `${name}_delivered_by_instance`,
    each(({ delivered }) => String(delivered)),
  );
  line(
    `${name}_enqueue_loop_ms_by_instance`,
    each(({ enqueueMs }) => fixed(enqueueMs)),
  );
  line(
    `${name}_client_cpu_ms_by_instance`,
    each(({ cpuMs }) => fixed(cpuMs, 0)),
  );
  line(
    `${name}_peak_rss_mb_by_instance`,
    each(({ peakRssMb }) => fixed(peakRssMb)),
  );
  line(`${name}_http_requests`, run.sink.requests);
  line(`${name}_client_cpu_us_per_event`, usPerEvent(clientCpuMs(run)));
  line(`${name}_redis_cpu_us_per_event`, usPerEvent(run.redisCpuMs));
  line(`${name}_sink_cpu_us_per_event`, usPerEvent(run.sink.cpuMs));
  const shares = busy(run);
  line(`${name}_clients_cpu_busy`, `${pct(shares.clients)} of ${cores} CPUs`);
  line(`${name}_redis_core_busy`, pct(shares.redis));
  line(`${name}_sink_core_busy`, pct(shares.sink));
  line(`${name}_bench_cpu_busy`, `${pct(shares.bench)} of ${cores} CPUs`);
  if (run.machineBusy !== undefined) line(`${name}_machine_cpu_busy`, `${pct(run.machineBusy)} of ${cores} CPUs`);
  line(
    `${name}_cpu_bound_events_per_s`,
    ceilings(run)
      .map(({ key, eventsPerS: rate }) => `${key} ${Math.round(rate)}`)
      .join(' | '),
  );
  line(`${name}_saturated`, saturated(run).join('; ') || 'nothing');
}

/** The runs of `count` instances, one a round. */
const ofCount = (byRound: ScaleOutRun[][], count: number): ScaleOutRun[] =>
  byRound.flatMap((runs) => runs.filter((run) => run.count === count));

/**
 * Prints each instance count's median run, then `scale_out_3_vs_1_events_per_s` (the median of the rounds' ratios,
 * target >= 2) with, when it falls short, what bounds it: what the median 3-instance run saturated, and the lowest
 * ceiling its CPU per event sets when that ceiling is below the target.
 */
export function printScaleOut(byRound: ScaleOutRun[][]): void {
  const rounds = byRound.length;
  const [one, two, three] = [1, 2, 3].map((count) => medianItem(ofCount(byRound, count), eventsPerS));
  for (const run of [one, two, three]) if (run) printRun(run, rounds);
  console.log('\n[ratios] scale-out: aggregate events/s of n instances / 1 instance, in the same round');
  const byRatio = (count: number): number[] =>
    byRound.flatMap((runs) => {
      const [base, scaled] = [1, count].map((n) => runs.find((run) => run.count === n));
      return base && scaled ? [eventsPerS(scaled) / eventsPerS(base)] : [];
    });
  const twoVsOne = byRatio(2);
  if (twoVsOne.length > 0) line('scale_out_2_vs_1_events_per_s', fixed(median(twoVsOne), 3));
  const threeVsOne = byRatio(3);
  if (!one || !three || threeVsOne.length === 0) {
    skipRatio('scale_out_3_vs_1_events_per_s', '>=', TARGET, 'needs scale-out-1 and scale-out-3 in one round');
    return;
  }
  if (threeVsOne.length > 1)
    line('scale_out_3_vs_1_events_per_s_by_round', threeVsOne.map((value) => value.toFixed(3)).join(' | '));
  // NOTE: the most 3 instances could deliver at the CPU each event cost them, were the resource all theirs, over what
  // one instance delivered: a ceiling below the target means the target cannot be met on this machine.
  const { what, eventsPerS: rate } = ceilings(three).sort((a, b) => a.eventsPerS - b.eventsPerS)[0];
  const ceiling = rate / eventsPerS(one);
  line('scale_out_3_vs_1_ceiling_from_cpu', `${fixed(ceiling, 3)} (${what})`);
  const bounds = [...saturated(three), ...(ceiling < TARGET ? [`at most ${fixed(ceiling, 2)}x on ${what}`] : [])];
  checkRatio('scale_out_3_vs_1_events_per_s', median(threeVsOne), '>=', TARGET, 3, bounds.join('; ') || undefined);
}
