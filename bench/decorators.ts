import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomerIOClient, CustomerIOModule, TrackEvent } from '../lib/index.js';
import { CustomerIOSandbox } from '../lib/testing/index.js';

// Overhead of @TrackEvent: the same method, decorated and not, called in the same run inside a Nest
// application. The decorated call includes everything it does on the caller's time: the mappers, the
// checks, building the operation and enqueueing it. Calls come in rounds of 1,000, and the queue is
// flushed to a sandbox between rounds (not timed), as an application's queue drains while it runs.

const ROUNDS = 100;
const ROUND = 1_000;
const WARM_UP_ROUNDS = 20;

@Injectable()
class BenchService {
  undecorated(userId: string, amount: number): number {
    return amount * 2 + userId.length;
  }

  @TrackEvent('checkout_completed', { person: (_total: number, userId: string) => userId, data: (total: number) => ({ total }) })
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

/** Per-call latencies in ns of `call`, in rounds of ROUND calls with a flush after each (not timed). */
async function measure(rounds: number, call: (i: number) => number): Promise<Float64Array> {
  const latencies = new Float64Array(rounds * ROUND);
  let sink = 0;
  for (let i = 0; i < latencies.length; i++) {
    const start = process.hrtime.bigint();
    sink += call(i);
    latencies[i] = Number(process.hrtime.bigint() - start);
    if ((i + 1) % ROUND === 0) {
      await client.flush();
      sandbox.reset();
    }
  }
  if (sink === -1) console.log(sink);
  return latencies;
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const summary = (latencies: Float64Array) => {
  const sorted = latencies.slice().sort();
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  return { mean, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};

const plainCall = (i: number) => service.undecorated(`user-${i % 1000}`, i);
const trackedCall = (i: number) => service.decorated(`user-${i % 1000}`, i);
await measure(WARM_UP_ROUNDS, plainCall);
await measure(WARM_UP_ROUNDS, trackedCall);
const plain = summary(await measure(ROUNDS, plainCall));
const tracked = summary(await measure(ROUNDS, trackedCall));
const expected = (WARM_UP_ROUNDS + ROUNDS) * ROUND;
if (client.stats.delivered !== expected) throw new Error(`expected ${expected} events delivered, got ${client.stats.delivered}`);

const us = (ns: number): string => (ns / 1_000).toFixed(3);
const overhead = tracked.mean - plain.mean;
console.log('\n[decorators] the same method with and without @TrackEvent, in one Nest app (enqueue included)');
console.log(`calls: ${ROUNDS * ROUND}`);
console.log(`undecorated_mean_us: ${us(plain.mean)}`);
console.log(`undecorated_p50_us: ${us(plain.p50)}`);
console.log(`undecorated_p99_us: ${us(plain.p99)}`);
console.log(`decorated_mean_us: ${us(tracked.mean)}`);
console.log(`decorated_p50_us: ${us(tracked.p50)}`);
console.log(`decorated_p99_us: ${us(tracked.p99)}`);
console.log(`decorator_overhead_mean_us: ${us(overhead)}`);
console.log(`decorator_overhead_p50_us: ${us(tracked.p50 - plain.p50)}`);
console.log(`target_overhead_lt_2us: ${overhead < 2_000 ? 'PASS' : 'FAIL'} (${us(overhead)} us mean)`);
await app.close();
await sandbox.close();
