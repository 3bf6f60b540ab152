import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

// CPU counters read from outside a process, for the scale-out part: the whole machine's (Linux's /proc/stat) and
// redis-server's (INFO cpu, which any client may read, wherever Redis runs).

/** CPU time of the whole machine, every core summed, in ms: busy (not idle nor waiting for I/O) and in all. */
export interface MachineCpu {
  busyMs: number;
  totalMs: number;
}

/** The machine's CPU counters since boot, or undefined where /proc/stat is not (not Linux). */
export function machineCpu(): MachineCpu | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // NOTE: the first line sums every core: user nice system idle iowait irq softirq steal (guest time is already in
  // user), in clock ticks of 10 ms (USER_HZ is 100 on every Linux this runs on).
  const ticks = stat.split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busyMs: (total - ticks[3] - ticks[4]) * 10, totalMs: total * 10 };
}

/** The share of the machine's CPU time that was busy between two readings (0 to 1). */
export const busyShare = (from: MachineCpu, to: MachineCpu): number =>
  (to.busyMs - from.busyMs) / Math.max(1, to.totalMs - from.totalMs);

/** CPU time (user + system) redis-server spent since it started, in ms, from INFO cpu. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1_000;
}
