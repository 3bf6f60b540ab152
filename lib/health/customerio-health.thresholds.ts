/**
 * When {@link CustomerIOHealthIndicator.isHealthy} reports `degraded` or `down`. Every threshold is optional; a
 * check is degraded by any `degraded…` threshold passed and down by any `down…` one (down wins).
 */
export interface CustomerIOHealthThresholds {
  /**
   * Degraded when the oldest operation held (`stats.oldestQueuedAgeMs`) is at least this old, in ms: deliveries lag.
   * @default 60000 (1 minute)
   */
  degradedBacklogAgeMs?: number;
  /**
   * Down when the oldest operation held is at least this old, in ms: deliveries are stuck.
   * @default 900000 (15 minutes)
   */
  downBacklogAgeMs?: number;
  /**
   * Degraded when the queue holds at least this share of `maxQueueSize` operations or of `maxQueueBytes` bytes
   * (0 to 1): it will soon refuse or drop operations.
   * @default 0.8
   */
  degradedFillRatio?: number;
  /**
   * Down when the circuit breaker has been open (or half-open, its probes failing) for at least this long without
   * closing, in ms. Open or half-open for less is degraded.
   * @default 300000 (5 minutes)
   */
  downCircuitOpenMs?: number;
  /**
   * Degraded when the store takes at least this long, in ms, to answer the check's read (whether it holds an
   * operation).
   * @default 250
   */
  degradedStoreMs?: number;
  /**
   * Down when the store has not answered the check's read within this, in ms, or failed it: unreachable.
   * @default 2000
   */
  storeTimeoutMs?: number;
}

/** The thresholds {@link CustomerIOHealthIndicator.isHealthy} applies when not given. */
export const DEFAULT_HEALTH_THRESHOLDS: Readonly<Required<CustomerIOHealthThresholds>> = {
  degradedBacklogAgeMs: 60_000,
  downBacklogAgeMs: 900_000,
  degradedFillRatio: 0.8,
  downCircuitOpenMs: 300_000,
  degradedStoreMs: 250,
  storeTimeoutMs: 2_000,
};
