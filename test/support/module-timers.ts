/**
 * Watches the timers the library's own code (lib/, its sandbox aside) starts while `watch` is on, so a test can
 * tell whether the module left one running: counting every timer of the process also counts those of earlier
 * tests' sockets and of the test sandbox, which come and go on their own.
 */
export function watchModuleTimers(): { running(): string[]; stop(): void } {
  const lib = `${process.cwd()}/lib/`;
  const started: { timer: NodeJS.Timeout; where: string }[] = [];
  const { setTimeout: originalTimeout, setInterval: originalInterval } = globalThis;
  const record = <T extends NodeJS.Timeout>(timer: T): T => {
    const where =
      new Error().stack?.split('\n').find((line) => line.includes(lib) && !line.includes(`${lib}testing/`)) ?? '';
    if (where) started.push({ timer, where: where.trim() });
    return timer;
  };
  globalThis.setTimeout = ((...args: Parameters<typeof originalTimeout>) =>
    record(originalTimeout(...args))) as typeof originalTimeout;
  globalThis.setInterval = ((...args: Parameters<typeof originalInterval>) =>
    record(originalInterval(...args))) as typeof originalInterval;
  return {
    /** Where each module timer still pending (and keeping the process alive) was started. */
    running: () =>
      started
        .filter(({ timer }) => !(timer as unknown as { _destroyed: boolean })._destroyed && timer.hasRef())
        .map(({ where }) => where),
    stop: () => {
      globalThis.setTimeout = originalTimeout;
      globalThis.setInterval = originalInterval;
    },
  };
}
