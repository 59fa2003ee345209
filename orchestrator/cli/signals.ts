/** Resolves at the first SIGINT or SIGTERM: how a long-running command learns to stop. */
export function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolveStop) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
