/**
 * Learning-rate schedules with Hugging Face `transformers`' semantics (`get_constant_schedule*`,
 * `get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup`): a schedule maps the
 * optimizer step (0-based) to a multiplier of the base learning rate, and `LrScheduler` applies it
 * like PyTorch's `LambdaLR` (step 0 runs at multiplier(0), each `step()` moves to the next).
 */

export type LrMultiplier = (step: number) => number;

export interface WarmupOptions {
  /** Steps of linear warmup from 0 (default 0). */
  warmupSteps?: number;
}

export interface DecayOptions extends WarmupOptions {
  /** Total optimizer steps of the run (warmup included). */
  totalSteps: number;
}

export interface CosineOptions extends DecayOptions {
  /** Cosine waves over the decay (default 0.5: from 1 down to 0 once). */
  numCycles?: number;
}

function warmup(step: number, warmupSteps: number): number {
  return step / Math.max(1, warmupSteps);
}

function checkSteps({
  warmupSteps = 0,
  totalSteps,
}: {
  warmupSteps?: number;
  totalSteps?: number;
}) {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new Error(`warmupSteps must be a non-negative integer, got ${warmupSteps}`);
  }
  if (totalSteps !== undefined && (!Number.isInteger(totalSteps) || totalSteps < 1)) {
    throw new Error(`totalSteps must be a positive integer, got ${totalSteps}`);
  }
}

/** Constant learning rate, after an optional linear warmup. */
export function constantSchedule(options: WarmupOptions = {}): LrMultiplier {
  checkSteps(options);
  const { warmupSteps = 0 } = options;
  return (step) => (step < warmupSteps ? warmup(step, warmupSteps) : 1);
}

/** Linear warmup, then linear decay to 0 at `totalSteps`. */
export function linearSchedule(options: DecayOptions): LrMultiplier {
  checkSteps(options);
  const { warmupSteps = 0, totalSteps } = options;
  return (step) =>
    step < warmupSteps
      ? warmup(step, warmupSteps)
      : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** Linear warmup, then cosine decay (to 0 at `totalSteps` with the default half cycle). */
export function cosineSchedule(options: CosineOptions): LrMultiplier {
  checkSteps(options);
  const { warmupSteps = 0, totalSteps, numCycles = 0.5 } = options;
  return (step) => {
    if (step < warmupSteps) return warmup(step, warmupSteps);
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
  };
}

export type ScheduleName = 'constant' | 'linear' | 'cosine';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'linear', 'cosine'];

/** A schedule by name (for command-line flags); an unknown name is an error listing the known. */
export function scheduleByName(name: string, options: DecayOptions): LrMultiplier {
  switch (name) {
    case 'constant':
      return constantSchedule(options);
    case 'linear':
      return linearSchedule(options);
    case 'cosine':
      return cosineSchedule(options);
    default:
      throw new Error(`unknown schedule '${name}' (known: ${SCHEDULE_NAMES.join(', ')})`);
  }
}

/** Sets `optimizer.lr = baseLr · multiplier(step)`; call `step()` after each optimizer step. */
export class LrScheduler {
  readonly baseLr: number;
  private current: number;

  /** `lastStep` resumes a run: the next optimizer step is `lastStep + 1`. */
  constructor(
    private readonly optimizer: { lr: number },
    private readonly multiplier: LrMultiplier,
    { baseLr = optimizer.lr, lastStep = -1 }: { baseLr?: number; lastStep?: number } = {},
  ) {
    this.baseLr = baseLr;
    this.current = lastStep + 1;
    this.apply();
  }

  /** The step the optimizer takes next (0-based). */
  get stepCount(): number {
    return this.current;
  }

  step(): void {
    this.current += 1;
    this.apply();
  }

  private apply(): void {
    this.optimizer.lr = this.baseLr * this.multiplier(this.current);
  }
}
