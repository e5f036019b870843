/**
 * Turns SIGINT, SIGTERM and SIGHUP into one interruption of the run (`stop`): the running command
 * is stopped and the run recorded as interrupted, resumable. A second one leaves at once (`leave`).
 */
export function handleInterrupts(stop: () => void, leave: () => void): void {
  let signals = 0;
  let hungUp = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A closed terminal can hang up more than once (the kernel, then the terminal's own program):
    // one hang-up is one interruption, never the "leave at once" of a second Ctrl-C, which would
    // end the process before the journal records how the run stopped.
    if (signal === 'SIGHUP') {
      if (hungUp) return;
      hungUp = true;
    }
    signals += 1;
    // The journal is written synchronously, so a second Ctrl-C can leave at once; still with the way back.
    if (signals > 1) {
      leave();
      return;
    }
    process.stderr.write('\nInterrupting: stopping the running command… (Ctrl-C again to leave at once)\n');
    stop();
  };
  // The handlers stay after the run: a second Ctrl-C while an interrupted command is dying exits at once.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal (SIGHUP) stops the run as SIGTERM does: recorded as interrupted, resumable.
  process.on('SIGHUP', onSignal);
}
