// Timing shared by every JS case, with no tfjs import (the ONNX Runtime peers use it too).

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Median wall-clock and CPU milliseconds of `runs` calls of the async `fn`, after `warmup` calls.
 * CPU time is the process's (every thread's) and the steadier number on a shared machine (a
 * single-threaded run waiting for a core is not charged for the wait).
 */
export async function timeRunsOf(fn, { warmup = 1, runs }) {
  for (let i = 0; i < warmup; i++) await fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const [start, startCpu] = [performance.now(), cpuMs()];
    await fn();
    wall.push(performance.now() - start);
    cpu.push(cpuMs() - startCpu);
  }
  return { ms: median(wall), cpu_ms: median(cpu) };
}

/**
 * Timed calls of a GPT-2 forward, ours and ONNX Runtime's alike (they share a table row): medians
 * of 5, or of 7 on a short input (under 256 tokens) for a steadier median.
 */
export function forwardRuns(batch, length, quick) {
  if (batch * length < 256) return quick ? 3 : 7;
  return quick ? 1 : 5;
}
