import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { GradientAccumulator } from '../optim/accumulate.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNorm } from '../optim/clip.js';
import { LrScheduler, type ScheduleName, scheduleByName } from '../optim/schedules.js';
import type { TaskRun } from '../tasks/types.js';
import { saveCheckpoint } from './checkpoint.js';
import { EarlyStopping, type EarlyStoppingState } from './early-stopping.js';
import { MetricsFile } from './metrics-file.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import type { RunConfig } from './run.js';

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
  /** Continue from `outDir/last` instead of starting over (default false). */
  resume?: boolean;
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
  log: (line: string) => console.log(line),
} satisfies Partial<TrainOptions>;

export interface TrainSummary {
  bestEpoch: number | null;
  best: Record<string, number> | null;
  epochs: number;
  seconds: number;
}

interface TrainerState {
  /** Epochs finished. */
  epoch: number;
  step: number;
  earlyStopping: EarlyStoppingState;
  best: Record<string, number> | null;
}

const TRAINER_FILE = 'trainer.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';

/**
 * The fine-tuning loop of the reference scripts, with what they lacked: AdamW (the reference's)
 * with a learning-rate schedule, gradient clipping and accumulation, a progress bar, one dev
 * evaluation per epoch, the best checkpoint kept (`best/`), early stopping, a JSON metrics file,
 * and `last/` (weights, optimizer state, position) to resume from. Only trainable parameters get
 * gradients and optimizer state.
 */
export async function train(
  run: TaskRun,
  config: RunConfig,
  trainOptions: TrainOptions,
): Promise<TrainSummary> {
  const started = performance.now();
  const options = withDefaults(trainOptions);
  const { head } = run;
  const params = head.namedParameters({ trainableOnly: true });
  if (params.length === 0) throw new Error('nothing to train: every parameter is frozen');
  const variables = params.map(([, v]) => v);
  const stepsPerEpoch = Math.ceil(
    Math.ceil(run.trainSize / options.batchSize) / options.gradAccumulation,
  );
  await mkdir(options.outDir, { recursive: true });
  const optimizer = new AdamW({ lr: options.lr, weightDecay: options.weightDecay });
  const stopper = new EarlyStopping({ mode: 'max', patience: options.patience });
  const lastDir = join(options.outDir, 'last');
  let state: TrainerState = { epoch: 0, step: 0, earlyStopping: stopper.state(), best: null };
  let metrics: MetricsFile;
  if (options.resume) {
    state = JSON.parse(await readFile(join(lastDir, TRAINER_FILE), 'utf8')) as TrainerState;
    const saved = await readSafetensors(join(lastDir, OPTIMIZER_FILE));
    await optimizer.loadStateDict(saved, params);
    tf.dispose(Object.values(saved));
    stopper.restore(state.earlyStopping);
    metrics = await MetricsFile.open(join(options.outDir, 'metrics.json'));
    options.log(`resuming after epoch ${state.epoch} (step ${state.step})`);
  } else {
    metrics = await MetricsFile.create(join(options.outDir, 'metrics.json'), {
      meta: { config, train: { ...options, log: undefined, progressStream: undefined } },
    });
  }
  const scheduler = new LrScheduler(
    optimizer,
    scheduleByName(options.schedule, {
      warmupSteps: options.warmupSteps,
      totalSteps: stepsPerEpoch * options.epochs,
    }),
    { lastStep: state.step - 1 },
  );

  for (let epoch = state.epoch; epoch < options.epochs; epoch++) {
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
      }
      bar.update({ loss: value, tokens: batch.rows.reduce((n, r) => n + r.length, 0) });
    }
    bar.finish();
    head.eval();
    const dev = await run.evaluate();
    const trainLoss = lossSum / batches.length;
    const { improved, stop } = stopper.update(dev[run.primaryMetric]);
    state = {
      epoch: epoch + 1,
      step: state.step,
      earlyStopping: stopper.state(),
      best: improved ? dev : state.best,
    };
    await metrics.append({ epoch, train_loss: trainLoss, lr: optimizer.lr, ...dev, improved });
    options.log(
      `epoch ${epoch}: train loss ${trainLoss.toFixed(4)}, ${Object.entries(dev)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}${improved ? ' (best so far, saved)' : ''}`,
    );
    if (improved) await saveCheckpoint(join(options.outDir, 'best'), run, config);
    await saveCheckpoint(lastDir, run, config, async (dir) => {
      await writeSafetensors(join(dir, OPTIMIZER_FILE), optimizer.stateDict(params));
      await writeFile(join(dir, TRAINER_FILE), `${JSON.stringify(state, null, 2)}\n`);
    });
    if (stop) {
      options.log(`early stopping: no better ${run.primaryMetric} for ${options.patience} epochs`);
      break;
    }
  }
  const summary: TrainSummary = {
    bestEpoch: stopper.bestEpoch,
    best: state.best,
    epochs: state.epoch,
    seconds: (performance.now() - started) / 1000,
  };
  await metrics.setSummary({ ...summary });
  optimizer.dispose();
  return summary;
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

/** True when `outDir` holds a run that `resume` can continue. */
export function canResume(outDir: string): boolean {
  return existsSync(join(outDir, 'last', TRAINER_FILE));
}

/** `options` with every option left out (or undefined) taken from `TRAIN_DEFAULTS`. */
function withDefaults(
  options: TrainOptions,
): Required<Omit<TrainOptions, 'progressStream'>> & Pick<TrainOptions, 'progressStream'> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...TRAIN_DEFAULTS, ...given } as ReturnType<typeof withDefaults>;
}
