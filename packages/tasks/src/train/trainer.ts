import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getDefaultRng, readSafetensors, writeSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { GradientAccumulator } from '../optim/accumulate.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNorm } from '../optim/clip.js';
import { LrScheduler, type ScheduleName, scheduleByName } from '../optim/schedules.js';
import type { TaskRun } from '../tasks/types.js';
import { checkpointEpoch, copyCheckpoint, saveCheckpoint } from './checkpoint.js';
import { EarlyStopping } from './early-stopping.js';
import { killPoint } from './kill-point.js';
import { MetricsFile } from './metrics-file.js';
import { checkOutputTarget, createStaging, swapIn } from './output-folder.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import { type RecordedTrainOptions, type RunConfig, readRunConfig } from './run-config.js';
import { openRunFolder, recoverRun } from './run-folder.js';
import { TRAINER_FILE, type TrainerState, writeTrainerState } from './trainer-state.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** Where `best/`, `last/` and `metrics.json` go. */
  outDir: string;
  /** AdamW weight decay (default 0). */
  weightDecay?: number;
  /** Learning-rate schedule over all steps (default `linear`: decay to 0). */
  schedule?: ScheduleName;
  warmupSteps?: number;
  /** Clip the global gradient norm to this (default 1; null: no clipping). */
  clipNorm?: number | null;
  /** Micro-batches per optimizer step (default 1). */
  gradAccumulation?: number;
  /** Stop after this many epochs without a better dev metric (default: never). */
  patience?: number;
  /** Continue the run in `outDir` from its `last/` checkpoint (default false). */
  resume?: boolean;
  /**
   * Replace a run already in `outDir` (default false). Only an lgpt run is ever replaced, and only
   * once the new run has its first checkpoint.
   */
  overwrite?: boolean;
  /** Where progress lines go (default `console.log`). */
  log?: (line: string) => void;
  progressStream?: ProgressStream;
}

/** What `train` uses for each option left out (the `lgpt` CLI's defaults too). */
export const TRAIN_DEFAULTS = {
  weightDecay: 0,
  schedule: 'linear',
  warmupSteps: 0,
  clipNorm: 1,
  gradAccumulation: 1,
  patience: Number.POSITIVE_INFINITY,
  resume: false,
  overwrite: false,
  log: (line: string) => console.log(line),
} satisfies Partial<TrainOptions>;

export interface TrainSummary {
  bestEpoch: number | null;
  best: Record<string, number> | null;
  epochs: number;
  /** Wall-clock seconds of the epochs (training and evaluation), over every session of the run. */
  seconds: number;
}

const OPTIMIZER_FILE = 'optimizer.safetensors';
const METRICS_FILE = 'metrics.json';

/**
 * The fine-tuning loop of the reference scripts, with what they lacked: AdamW (the reference's)
 * with a learning-rate schedule, gradient clipping and accumulation, a progress bar, one dev
 * evaluation per epoch, the best checkpoint kept (`best/`), early stopping, a JSON metrics file,
 * and `last/` to resume from. Only trainable parameters get gradients and optimizer state.
 *
 * A resumed run continues exactly: `last/` holds the weights, the optimizer state, the schedule's
 * position, the generator's state and the resolved options (`run.json`), and is the one thing each
 * epoch commits (atomically, see `replaceDir`); `metrics.json` and `best/` follow it and are
 * repaired from it on resume. A new run is written next to `outDir` and swapped in once it has its
 * first checkpoint (see `output-folder.ts`).
 */
export async function train(
  run: TaskRun,
  config: RunConfig,
  trainOptions: TrainOptions,
): Promise<TrainSummary> {
  const options = withDefaults(trainOptions);
  const recorded: RunConfig = { ...config, train: recordTrainOptions(options) };
  const { head } = run;
  const params = head.namedParameters({ trainableOnly: true });
  if (params.length === 0) throw new Error('nothing to train: every parameter is frozen');
  const variables = params.map(([, v]) => v);
  const stepsPerEpoch = Math.ceil(
    Math.ceil(run.trainSize / options.batchSize) / options.gradAccumulation,
  );
  const optimizer = new AdamW({ lr: options.lr, weightDecay: options.weightDecay });
  const stopper = new EarlyStopping({ mode: 'max', patience: options.patience });
  const rng = getDefaultRng();
  let dir: string;
  let state: TrainerState;
  if (options.resume) {
    dir = options.outDir;
    state = await openRunFolder(dir);
    await checkSameRun(join(dir, 'last'), recorded);
    const saved = await readSafetensors(join(dir, 'last', OPTIMIZER_FILE));
    await optimizer.loadStateDict(saved, params);
    tf.dispose(Object.values(saved));
    stopper.restore(state.earlyStopping);
    rng.setState(state.rng);
    await repairFromLast(dir, state, recorded);
    options.log(`resuming after epoch ${state.epoch} (step ${state.step})`);
  } else {
    await recoverRun(options.outDir);
    await checkOutputTarget(options.outDir, 'run', { overwrite: options.overwrite });
    dir = await createStaging(options.outDir, 'run');
    state = {
      epoch: 0,
      step: 0,
      stopped: false,
      earlyStopping: stopper.state(),
      best: null,
      rng: rng.getState(),
      records: [],
    };
  }
  const scheduler = new LrScheduler(
    optimizer,
    scheduleByName(options.schedule, {
      warmupSteps: options.warmupSteps,
      totalSteps: stepsPerEpoch * options.epochs,
    }),
    { lastStep: state.step - 1 },
  );

  for (let epoch = state.epoch; epoch < options.epochs && !state.stopped; epoch++) {
    const started = performance.now();
    head.train();
    const batches = run.trainBatches(epoch, options.batchSize);
    const bar = new ProgressBar({
      total: batches.length,
      label: `train-${epoch}`,
      stream: options.progressStream,
    });
    const accumulator = new GradientAccumulator();
    let lossSum = 0;
    for (const [i, batch] of batches.entries()) {
      const loss = accumulator.accumulate(() => run.loss(batch), variables);
      const value = (await loss.data())[0];
      loss.dispose();
      if (!Number.isFinite(value))
        throw new Error(`loss is ${value} at epoch ${epoch}, batch ${i}`);
      lossSum += value;
      if (accumulator.count === options.gradAccumulation || i === batches.length - 1) {
        await applyStep(optimizer, accumulator, options.clipNorm);
        scheduler.step();
        state.step += 1;
        killPoint(`step@${epoch}:${state.step}`);
      }
      bar.update({ loss: value, tokens: batch.rows.reduce((n, r) => n + r.length, 0) });
    }
    bar.finish();
    head.eval();
    const dev = await run.evaluate();
    const trainLoss = lossSum / batches.length;
    const { improved, stop } = stopper.update(dev[run.primaryMetric]);
    const record = { epoch, train_loss: trainLoss, lr: optimizer.lr, ...dev, improved };
    state = {
      epoch: epoch + 1,
      step: state.step,
      stopped: stop,
      earlyStopping: stopper.state(),
      best: improved ? dev : state.best,
      rng: rng.getState(),
      records: [...state.records, { ...record, seconds: (performance.now() - started) / 1000 }],
    };
    options.log(
      `epoch ${epoch}: train loss ${trainLoss.toFixed(4)}, ${Object.entries(dev)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}${improved ? ' (best so far, saved)' : ''}`,
    );
    // last/ is the commit: metrics.json and best/ only follow it (and are rebuilt from it).
    await saveCheckpoint(join(dir, 'last'), run, recorded, {
      epoch,
      label: `last@${epoch}`,
      extra: async (checkpoint) => {
        await writeSafetensors(join(checkpoint, OPTIMIZER_FILE), optimizer.stateDict(params));
        await writeTrainerState(checkpoint, state);
      },
    });
    killPoint(`last@${epoch}:committed`);
    await writeMetrics(dir, recorded, state, null);
    killPoint(`metrics@${epoch}:written`);
    if (improved)
      await saveCheckpoint(join(dir, 'best'), run, recorded, { epoch, label: `best@${epoch}` });
    if (dir !== options.outDir) {
      await swapIn(options.outDir, 'run', 'run');
      dir = options.outDir;
    }
    if (stop) {
      options.log(`early stopping: no better ${run.primaryMetric} for ${options.patience} epochs`);
    }
  }
  const summary: TrainSummary = {
    bestEpoch: stopper.bestEpoch,
    best: state.best,
    epochs: state.epoch,
    seconds: state.records.reduce((total, r) => total + Number(r.seconds), 0),
  };
  await writeMetrics(dir, recorded, state, summary);
  optimizer.dispose();
  return summary;
}

/** The options as `run.json` records them (Infinity is not JSON: no early stopping is null). */
function recordTrainOptions(
  options: Required<
    Omit<TrainOptions, 'outDir' | 'resume' | 'overwrite' | 'log' | 'progressStream'>
  >,
): RecordedTrainOptions {
  return {
    epochs: options.epochs,
    batchSize: options.batchSize,
    lr: options.lr,
    weightDecay: options.weightDecay,
    schedule: options.schedule,
    warmupSteps: options.warmupSteps,
    clipNorm: options.clipNorm,
    gradAccumulation: options.gradAccumulation,
    patience: Number.isFinite(options.patience) ? options.patience : null,
  };
}

/**
 * A resumed run must be the same run: every field of the saved `run.json` but the data folder
 * (which may move) equals what this call was given.
 */
async function checkSameRun(lastDir: string, given: RunConfig): Promise<void> {
  const saved = await readRunConfig(lastDir);
  const differences = differingKeys({ ...saved, dataDir: '' }, { ...given, dataDir: '' });
  if (differences.length) {
    const [key, was, now] = differences[0];
    throw new Error(
      `cannot resume ${lastDir}: '${key}' was ${was} but is now ${now} (a resumed run continues with the options it started with)`,
    );
  }
}

/** `[dotted key, a's value, b's value]` for each leaf where two JSON values differ. */
function differingKeys(a: unknown, b: unknown, prefix = ''): [string, string, string][] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => differingKeys(a[key], b[key], `${prefix}${key}.`));
  }
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x === y ? [] : [[prefix.slice(0, -1), x ?? 'absent', y ?? 'absent']];
}

/**
 * After a crash between `last/` and what follows it: `metrics.json` is rewritten from `last/`'s
 * records (an epoch is never recorded twice), and `best/` is rebuilt from `last/` when the best
 * epoch is the one `last/` holds but `best/` is older.
 */
async function repairFromLast(dir: string, state: TrainerState, config: RunConfig): Promise<void> {
  await writeMetrics(dir, config, state, null);
  const bestEpoch = state.earlyStopping.bestEpoch;
  const bestDir = join(dir, 'best');
  if (bestEpoch === null || (await checkpointEpoch(bestDir)) === bestEpoch) return;
  if (bestEpoch !== state.epoch - 1) {
    throw new Error(
      `${bestDir} does not hold epoch ${bestEpoch}, the run's best (see ${join(dir, 'last', TRAINER_FILE)}), and last/ has moved on: the best checkpoint is lost`,
    );
  }
  await copyCheckpoint(join(dir, 'last'), bestDir, [OPTIMIZER_FILE, TRAINER_FILE]);
}

async function writeMetrics(
  dir: string,
  config: RunConfig,
  state: TrainerState,
  summary: TrainSummary | null,
): Promise<void> {
  await MetricsFile.write(join(dir, METRICS_FILE), {
    meta: { config },
    records: state.records,
    summary: summary && { ...summary },
  });
}

/** Averages the accumulated gradients, clips them, and takes one optimizer step. */
async function applyStep(
  optimizer: AdamW,
  accumulator: GradientAccumulator,
  clipNorm: number | null,
) {
  const grads = accumulator.result({ average: true });
  accumulator.reset();
  if (clipNorm === null) {
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return;
  }
  const clipped = clipGradNorm(grads, clipNorm);
  optimizer.applyGradients(clipped.grads);
  tf.dispose([...Object.values(grads), ...Object.values(clipped.grads), clipped.totalNorm]);
}

/** True when `outDir` holds a run that `resume` can continue (after finishing a crashed swap). */
export async function canResume(outDir: string): Promise<boolean> {
  await recoverRun(outDir);
  return existsSync(join(outDir, 'last', TRAINER_FILE));
}

/** `options` with every option left out (or undefined) taken from `TRAIN_DEFAULTS`. */
function withDefaults(
  options: TrainOptions,
): Required<Omit<TrainOptions, 'progressStream'>> & Pick<TrainOptions, 'progressStream'> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...TRAIN_DEFAULTS, ...given } as ReturnType<typeof withDefaults>;
}
