// The signals of `picket run`: SIGINT and SIGTERM stop it; SIGHUP (systemctl reload) re-reads the profiles
// (run-lapi.ts reloadProfiles) and the daemon keeps running. Owns: listening for them from before the first
// "Local API on" line, so that a signal sent as soon as that line is read never meets the default action
// (immediate death).

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Resolves with the name of the first stop signal received from now on. */
export function onStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const s of STOP_SIGNALS) process.once(s, () => resolve(s));
  });
}

/** Calls `reload` on every SIGHUP from now on; returns the function that stops listening. */
export function onReloadSignal(reload: () => void): () => void {
  process.on('SIGHUP', reload);
  return () => {
    process.removeListener('SIGHUP', reload);
  };
}
