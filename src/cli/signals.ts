// The signals that stop `picket run`: SIGINT, SIGTERM and SIGHUP (systemctl reload: a clean stop, then the
// unit's Restart=always starts it again). Owns: listening for them from before the first "Local API on" line,
// so that a signal sent as soon as that line is read never meets the default action (immediate death).

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Resolves with the name of the first stop signal received from now on. */
export function onStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const s of STOP_SIGNALS) process.once(s, () => resolve(s));
  });
}
