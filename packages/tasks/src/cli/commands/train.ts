import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initBackend } from '@lgpt/core';
import { SEED_KEPT_EPOCH } from '../../learnable-gpt/recipe-defaults.js';
import { defaultFineTuneMode, trainableSummary } from '../../models/fine-tune.js';
import type { TaskName } from '../../tasks/types.js';
import { MetricsFile } from '../../train/metrics-file.js';
import { openRun, type RunConfig, readRunConfig } from '../../train/run.js';
import {
  canResume,
  TRAIN_DEFAULTS,
  type TrainOptions,
  type TrainSummary,
  train,
} from '../../train/trainer.js';
import { variantSwitches } from '../../variants/variant.js';
import { seedRunConfig, seedTrainDefaults, seedVariantFlag } from '../learnable-gpt-flags.js';
import * as opt from '../options.js';

export const TRAIN_FLAGS = [
  'recipe',
  'model',
  'variant',
  'backend',
  'data',
  'dataset',
  'epochs',
  'batch-size',
  'lr',
  'weight-decay',
  'seed',
  'out',
  'fine-tune-mode',
  'schedule',
  'warmup-steps',
  'clip-norm',
  'grad-accumulation',
  'patience',
  'limit',
  'eval-batch-size',
  'dropout',
  'random-init',
  'resume',
  'overwrite',
  'temperature',
  'top-p',
  'max-new-tokens',
  'help',
] as const satisfies readonly opt.FlagName[];

const DEFAULT_EPOCHS: Record<TaskName, number> = { sentiment: 3, paraphrase: 1, sonnet: 10 };
const DEFAULT_BATCH: Record<TaskName, number> = { sentiment: 32, paraphrase: 16, sonnet: 8 };

export const TRAIN_USAGE = '<sentiment|paraphrase|sonnet> [options]';

/** `lgpt train <task>`: fine-tunes, keeps the best checkpoint, then writes its predictions. */
export async function trainCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = opt.parseFlags('train', argv, TRAIN_FLAGS);
  if (flags.help) {
    process.stdout.write(opt.helpText('train', TRAIN_USAGE, TRAIN_FLAGS));
    return;
  }
  await trainTask(opt.task(positionals[0], 'train'), flags);
}

export interface TrainResult {
  summary: TrainSummary;
  /** The epoch whose model the predictions come from: the best one, or the last (the original's sonnets). */
  kept: { which: 'best' | 'last'; epoch: number | null; dev: Record<string, number> | null };
  outDir: string;
  trainable: string;
  predictions: string[];
}

/** The whole `train` command for one task and variant (also what `compare` runs per variant). */
export async function trainTask(name: TaskName, flags: opt.ParsedFlags): Promise<TrainResult> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Every flag is checked before anything is created or loaded.
  const resume = flags.resume === true;
  const flagRecipe = opt.recipe((flags.recipe as string) ?? 'lgpt');
  const learnableGpt = flagRecipe === 'learnable-gpt';
  const variant = learnableGpt
    ? seedVariantFlag(flags.variant as string | undefined)
    : opt.variant((flags.variant as string) ?? 'base');
  const outDir = resolve(
    (flags.out as string) ??
      join('runs', learnableGpt ? `${name}-learnable-gpt-${variant}` : `${name}-${variant}`),
  );
  if (resume && !canResume(outDir)) {
    throw new opt.UsageError(`--resume: ${outDir} has no run to resume (no last/trainer.json)`);
  }
  const saved = resume ? await readRunConfig(join(outDir, 'last')) : null;
  const recipe = saved?.recipe ?? 'lgpt';
  if (saved && flags.recipe !== undefined && flagRecipe !== recipe) {
    throw new opt.UsageError(`--resume: ${outDir} was trained with --recipe ${recipe}`);
  }
  const lgptConfig = resume ? null : runConfig(name, variant, flags);
  const fresh = lgptConfig && learnableGpt ? seedRunConfig(name, lgptConfig, flags) : lgptConfig;
  const defaults = (saved?.recipe ?? flagRecipe) === 'learnable-gpt' ? seedTrainDefaults(name) : {};
  const settings = trainSettings(name, flags, outDir, log, defaults);
  const backend = opt.backend((flags.backend as string) ?? 'wasm');
  if (!resume && existsSync(outDir)) {
    if (!flags.overwrite) {
      throw new opt.UsageError(
        `${outDir} already exists: pass --overwrite to replace it or --resume to continue it`,
      );
    }
    await rm(outDir, { recursive: true, force: true });
  }
  await mkdir(outDir, { recursive: true });
  await initBackend(backend);
  const config = fresh ?? (saved as RunConfig);
  const run = await openRun(config, { checkpoint: resume ? join(outDir, 'last') : undefined, log });
  const trainable = trainableSummary(run.head);
  if (config.recipe === 'learnable-gpt') {
    log(
      `recipe learnable-gpt (the original code's model, loss and defaults): ${settings.epochs} epochs, batch ${settings.batchSize}, lr ${settings.lr}, no schedule, no clipping`,
    );
  }
  log(
    `${name}: ${run.loaded.source}, variant ${config.variant}, ${config.fineTuneMode}; ${trainable}`,
  );
  // Fine-tuning a pretrained GPT-2 in full wants a small step; fresh weights and adapters a large one.
  const fullPretrained = config.fineTuneMode === 'full-model' && run.loaded.pretrained;
  const lr = settings.lr ?? (fullPretrained ? 1e-5 : 1e-3);
  const summary = await train(run, config, { ...settings, lr });
  run.head.dispose();
  // As the reference: predictions come from the best checkpoint (the original's sonnets: the last).
  const kept = await keptEpoch(config, summary, outDir);
  const keptRun = await openRun(config, { checkpoint: join(outDir, kept.which) });
  keptRun.head.eval();
  await mkdir(join(outDir, 'predictions'), { recursive: true });
  const predictions = await keptRun.predict(join(outDir, 'predictions'), true);
  keptRun.head.dispose();
  log(
    `${kept.which} ${name} dev: ${JSON.stringify(kept.dev)} (epoch ${kept.epoch}), ${summary.seconds.toFixed(0)} s`,
  );
  for (const file of predictions) log(`wrote ${file}`);
  return { summary, kept, outDir, trainable, predictions };
}

/** The checkpoint the run's recipe keeps, with its epoch and dev metrics. */
async function keptEpoch(
  config: RunConfig,
  summary: TrainSummary,
  outDir: string,
): Promise<TrainResult['kept']> {
  const which = config.recipe === 'learnable-gpt' ? SEED_KEPT_EPOCH[config.task] : 'best';
  if (which === 'best') return { which, epoch: summary.bestEpoch, dev: summary.best };
  const { records } = await MetricsFile.open(join(outDir, 'metrics.json'));
  const last = records.at(-1) ?? null;
  const dev = last
    ? Object.fromEntries(
        Object.entries(last).filter(
          (entry): entry is [string, number] =>
            entry[0].startsWith('dev_') && typeof entry[1] === 'number',
        ),
      )
    : null;
  return { which, epoch: typeof last?.epoch === 'number' ? last.epoch : null, dev };
}

function runConfig(
  name: TaskName,
  variant: RunConfig['variant'],
  flags: opt.ParsedFlags,
): RunConfig {
  const limit =
    flags.limit === undefined
      ? undefined
      : opt.numberFlag('limit', flags.limit, 0, { integer: true, min: 1 });
  return {
    task: name,
    model: (flags.model as string) ?? 'tiny',
    variant,
    randomInit: flags['random-init'] === true,
    fineTuneMode: flags['fine-tune-mode']
      ? opt.fineTuneMode(flags['fine-tune-mode'] as string)
      : defaultFineTuneMode(variantSwitches(variant).useLora),
    seed: opt.numberFlag('seed', flags.seed, 11711, { integer: true, min: 0 }),
    dataDir: opt.dataDir(flags.data as string | undefined),
    evalBatchSize: opt.numberFlag('eval-batch-size', flags['eval-batch-size'], 64, {
      integer: true,
      min: 1,
    }),
    limit,
    settings: {
      dataset: opt.dataset((flags.dataset as string) ?? 'sst'),
      dropoutProb: opt.numberFlag('dropout', flags.dropout, 0.3, { min: 0 }),
      temperature: opt.numberFlag('temperature', flags.temperature, 1.2, { min: 0 }),
      topP: opt.numberFlag('top-p', flags['top-p'], 0.9, { min: 0 }),
      maxNewTokens: opt.numberFlag('max-new-tokens', flags['max-new-tokens'], 128, {
        integer: true,
        min: 1,
      }),
    },
  };
}

/** The training options from the flags; `lr` stays undefined when not given (see trainTask). */
function trainSettings(
  name: TaskName,
  flags: opt.ParsedFlags,
  outDir: string,
  log: (line: string) => void,
  recipeDefaults: Partial<TrainOptions>,
): Omit<TrainOptions, 'lr'> & { lr: number | undefined } {
  const defaults = {
    ...TRAIN_DEFAULTS,
    epochs: DEFAULT_EPOCHS[name],
    batchSize: DEFAULT_BATCH[name],
    ...recipeDefaults,
  };
  const clipNorm = opt.numberFlag('clip-norm', flags['clip-norm'], defaults.clipNorm ?? 0, {
    min: 0,
  });
  return {
    epochs: opt.numberFlag('epochs', flags.epochs, defaults.epochs, { integer: true, min: 1 }),
    batchSize: opt.numberFlag('batch-size', flags['batch-size'], defaults.batchSize, {
      integer: true,
      min: 1,
    }),
    lr: flags.lr === undefined ? defaults.lr : opt.numberFlag('lr', flags.lr, 0, { min: 0 }),
    weightDecay: opt.numberFlag('weight-decay', flags['weight-decay'], defaults.weightDecay, {
      min: 0,
    }),
    schedule: opt.schedule((flags.schedule as string) ?? defaults.schedule),
    warmupSteps: opt.numberFlag('warmup-steps', flags['warmup-steps'], defaults.warmupSteps, {
      integer: true,
      min: 0,
    }),
    clipNorm: clipNorm === 0 ? null : clipNorm,
    gradAccumulation: opt.numberFlag(
      'grad-accumulation',
      flags['grad-accumulation'],
      defaults.gradAccumulation,
      {
        integer: true,
        min: 1,
      },
    ),
    patience: opt.numberFlag('patience', flags.patience, TRAIN_DEFAULTS.patience, {
      integer: true,
      min: 1,
    }),
    outDir,
    resume: flags.resume === true,
    log,
  };
}
