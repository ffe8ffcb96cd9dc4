// Bounded polling wait of the daemon tests (checkpoint, catchup): resolves once `pred` holds, else fails naming
// what it waited for, with the daemons' output. Owns that helper only.

export async function until(what: string, pred: () => boolean, diag: () => string, ms = 40000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
