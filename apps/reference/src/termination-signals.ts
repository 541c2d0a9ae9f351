/** The signals that ask a run to stop: Ctrl-C, and what `docker stop`, `timeout` and schedulers send. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** The exit code of a process ended by `signal`, by shell convention (128 + its number). */
export function exitCodeForSignal(signal: StopSignal): number {
  return signal === "SIGTERM" ? 143 : 130;
}

/**
 * Calls `onStop` on the first SIGINT or SIGTERM, so training can finish its step and write a
 * checkpoint; a second signal of either kind ends the process at once. Returns the function that
 * removes the handlers, and `received()`, the first signal seen.
 */
export function handleStopSignals(onStop: (signal: StopSignal) => void): {
  dispose: () => void;
  received: () => StopSignal | undefined;
} {
  let first: StopSignal | undefined;
  const handler = (signal: StopSignal) => {
    if (first !== undefined) process.exit(exitCodeForSignal(signal));
    first = signal;
    onStop(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    dispose: () => {
      process.removeListener("SIGINT", handler);
      process.removeListener("SIGTERM", handler);
    },
    received: () => first,
  };
}
