import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomerIOClient, CustomerIOModule, TrackEvent } from '../lib/index.js';
import { CustomerIOSandbox } from '../lib/testing/index.js';
import { checkRatio } from './targets.js';

// Cost of @TrackEvent, measured side by side in one Nest application: the same method called bare, called and
// followed by the `client.track` a developer would write by hand, and decorated. The decorated call includes
// everything it does on the caller's time: the mappers, the checks, building the operation and enqueueing it.
//   track cost      = by hand - bare: one plain `client.track` call;
//   decorator cost  = decorated - by hand: what the decorator adds over that call (target: at most a quarter of it).
// Costs are CPU time (process.cpuUsage around each round, garbage collection included): time the process spends
// waiting for a core on a loaded machine is no one's cost. Per-call latencies (wall clock) are printed as information.
// Calls come in rounds of 1,000, the three kinds in turn (their order rotating), so that whatever else the machine
// does weighs on each alike; the queue is flushed to a sandbox between rounds (not timed), as an application's
// queue drains while it runs.

const ROUNDS = 100;
const ROUND = 1_000;
const WARM_UP_ROUNDS = 20;

const EVENT = 'checkout_completed';

@Injectable()
class BenchService {
  undecorated(userId: string, amount: number): number {
    return amount * 2 + userId.length;
  }

  @TrackEvent(EVENT, { person: (_total: number, userId: string) => userId, data: (total: number) => ({ total }) })
  decorated(userId: string, amount: number): number {
    return amount * 2 + userId.length;
  }
}

const sandbox = await CustomerIOSandbox.start();

@Module({
  imports: [CustomerIOModule.forRoot({ ...sandbox.moduleOptions(), queue: { flushIntervalMs: 3_600_000 } })],
  providers: [BenchService],
})
class BenchModule {}

const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
const service = app.get(BenchService);
const client = app.get(CustomerIOClient);

type Call = (i: number) => number;

/**
 * Per-call latencies in ns, and the CPU time in µs, of each of `calls`, in `rounds` rounds of ROUND calls of each,
 * the calls' order rotating from round to round, with a flush after each round (not timed).
 */
async function measure(rounds: number, calls: readonly Call[]): Promise<{ latencies: Float64Array; cpuUs: number }[]> {
  const latencies = calls.map(() => new Float64Array(rounds * ROUND));
  const cpuUs = calls.map(() => 0);
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < calls.length; turn++) {
      const which = (round + turn) % calls.length;
      const [call, times] = [calls[which], latencies[which]];
      const cpuStart = process.cpuUsage();
      for (let i = round * ROUND; i < (round + 1) * ROUND; i++) {
        const start = process.hrtime.bigint();
        sink += call(i);
        times[i] = Number(process.hrtime.bigint() - start);
      }
      const { user, system } = process.cpuUsage(cpuStart);
      cpuUs[which] += user + system;
      await client.flush();
      sandbox.reset();
    }
  }
  if (sink === -1) console.log(sink);
  return calls.map((_, which) => ({ latencies: latencies[which], cpuUs: cpuUs[which] }));
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
/** Wall-clock mean, p50 and p99 of one kind of call, in ns, and its CPU time per call, in ns. */
const summary = ({ latencies, cpuUs }: { latencies: Float64Array; cpuUs: number }) => {
  const sorted = latencies.slice().sort();
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  return { mean, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), cpu: (cpuUs * 1_000) / latencies.length };
};

const userOf = (i: number): string => `user-${i % 1000}`;
const bareCall: Call = (i) => service.undecorated(userOf(i), i);
const byHandCall: Call = (i) => {
  const userId = userOf(i);
  const total = service.undecorated(userId, i);
  client.track(userId, EVENT, { total });
  return total;
};
const decoratedCall: Call = (i) => service.decorated(userOf(i), i);
const calls = [bareCall, byHandCall, decoratedCall] as const;
let summaries: ReturnType<typeof summary>[];
try {
  await measure(WARM_UP_ROUNDS, calls);
  summaries = (await measure(ROUNDS, calls)).map(summary);
  const expected = (WARM_UP_ROUNDS + ROUNDS) * ROUND * 2;
  if (client.stats.delivered !== expected)
    throw new Error(`expected ${expected} events delivered, got ${client.stats.delivered}`);
} finally {
  await app.close();
  await sandbox.close();
}
const [bare, byHand, decorated] = summaries;

const us = (ns: number): string => (ns / 1_000).toFixed(3);
const print = (name: string, { cpu, mean, p50, p99 }: ReturnType<typeof summary>): void => {
  console.log(`${name}_cpu_us: ${us(cpu)}`);
  console.log(`${name}_mean_us: ${us(mean)}`);
  console.log(`${name}_p50_us: ${us(p50)}`);
  console.log(`${name}_p99_us: ${us(p99)}`);
};
console.log(
  '\n[decorators] one method bare, followed by client.track by hand, and with @TrackEvent, in one Nest app (enqueue included)',
);
console.log(`calls_of_each: ${ROUNDS * ROUND}`);
print('undecorated', bare);
print('by_hand', byHand);
print('decorated', decorated);
console.log(`track_cost_cpu_us: ${us(byHand.cpu - bare.cpu)}`);
console.log(`decorator_overhead_cpu_us: ${us(decorated.cpu - bare.cpu)}`);
console.log(`decorator_overhead_mean_us: ${us(decorated.mean - bare.mean)}`);
console.log(`decorator_added_over_track_cpu_us: ${us(decorated.cpu - byHand.cpu)}`);
console.log(`decorator_added_over_track_p50_us: ${us(decorated.p50 - byHand.p50)}`);
checkRatio('decorator_vs_track_cost', (decorated.cpu - byHand.cpu) / (byHand.cpu - bare.cpu), '<=', 0.25);
