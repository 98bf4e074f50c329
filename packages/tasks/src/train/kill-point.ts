/**
 * For tests only: `LGPT_TEST_KILL_AT=<point>` makes the process SIGKILL itself when it reaches the
 * named point — the way a crash or a power cut would stop it, with no chance to clean up — so a
 * test can check that `--resume` recovers from there. Points are named `<what>@<epoch>:<moment>`,
 * e.g. `step@1:2` (after the run's second optimizer step, in epoch 1), `last@1:writing` (inside the checkpoint
 * write), `last@1:moved-aside` (old `last/` renamed away, the new one not yet in place); see the
 * calls of `killPoint`. Unset (always, outside tests), it does nothing.
 */
export function killPoint(name: string): void {
  if (process.env.LGPT_TEST_KILL_AT === name) process.kill(process.pid, 'SIGKILL');
}
