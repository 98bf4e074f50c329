import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BackendName, initBackend, resolveLocation } from '@lgpt/core';
import { GPT2_PRESET_NAMES } from '@lgpt/gpt2';
import { SEED_KEPT_EPOCH } from '../../learnable-gpt/recipe-defaults.js';
import { defaultFineTuneMode, trainableSummary } from '../../models/fine-tune.js';
import type { TaskName } from '../../tasks/types.js';
import { MetricsFile } from '../../train/metrics-file.js';
import { checkOutputTarget } from '../../train/output-folder.js';
import { openRun } from '../../train/run.js';
import {
  type RecordedTrainOptions,
  type RunConfig,
  readRunConfig,
} from '../../train/run-config.js';
import { openRunFolder, recoverRun } from '../../train/run-folder.js';
import { TRAIN_DEFAULTS, type TrainSummary, train } from '../../train/trainer.js';
import { variantSwitches } from '../../variants/variant.js';
import { seedRunConfig, seedTrainDefaults, seedVariantFlag } from '../learnable-gpt-flags.js';
import * as opt from '../options.js';
import { progressBar } from '../progress-bar.js';

export const TRAIN_FLAGS = [
  'recipe',
  'model',
  'adapter',
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
  return runTraining(await planTraining(name, flags));
}

/** A `train` command line, checked and resolved: what to train, where, on what backend. */
export interface TrainPlan {
  name: TaskName;
  config: RunConfig;
  /** `lr` undefined: chosen once the model is loaded (see `runTraining`). */
  train: Omit<RecordedTrainOptions, 'lr'> & { lr?: number };
  outDir: string;
  backend: BackendName;
  resume: boolean;
  overwrite: boolean;
}

/**
 * Checks every flag, the output folder and, with `--resume`, the run to continue — before anything
 * is loaded or written. A resumed run takes its options from its own `run.json`; a flag given again
 * must agree with it.
 */
export async function planTraining(name: TaskName, flags: opt.ParsedFlags): Promise<TrainPlan> {
  const learnableGpt = opt.recipe((flags.recipe as string) ?? 'lgpt') === 'learnable-gpt';
  const variant = learnableGpt
    ? seedVariantFlag(flags.variant as string | undefined)
    : opt.variant((flags.variant as string) ?? 'base');
  const outDir = resolve(
    (flags.out as string) ??
      join('runs', learnableGpt ? `${name}-learnable-gpt-${variant}` : `${name}-${variant}`),
  );
  const backend = opt.backend((flags.backend as string) ?? 'wasm');
  const requested = requestedRun(name, variant, flags);
  requested.config.model = await modelFlag(requested.config.model);
  const resume = flags.resume === true;
  const overwrite = flags.overwrite === true;
  if (resume) {
    if (overwrite) {
      throw new opt.UsageError(
        '--resume continues the run in --out, --overwrite replaces it: pass one',
      );
    }
    await opt.guardOut(() => openRunFolder(outDir));
    const last = join(outDir, 'last');
    const config = await readRunConfig(last);
    const recorded = config.train;
    if (!recorded) {
      throw new opt.UsageError(
        `--resume: ${last}/run.json does not record the training options (written by an older lgpt): the run cannot be continued exactly`,
      );
    }
    if (config.task !== name) {
      throw new opt.UsageError(`--resume: ${outDir} is a ${config.task} run, not ${name}`);
    }
    checkResumeFlags(flags, { ...requested.config, train: requested.train }, config, last);
    if (flags.data !== undefined) config.dataDir = opt.dataDir(flags.data as string);
    return { name, config, train: recorded, outDir, backend, resume, overwrite };
  }
  const dataDir = opt.dataDir(flags.data as string | undefined);
  await opt.guardOut(async () => {
    await recoverRun(outDir);
    await checkOutputTarget(outDir, 'run', {
      overwrite,
      existsHint: 'pass --overwrite to replace it or --resume to continue it',
    });
  });
  const config = { ...requested.config, dataDir };
  return { name, config, train: requested.train, outDir, backend, resume, overwrite };
}

/** Trains as planned, then writes the best checkpoint's predictions into the run folder. */
export async function runTraining(plan: TrainPlan): Promise<TrainResult> {
  const { name, outDir } = plan;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await initBackend(plan.backend);
  const run = await openRun(plan.config, {
    checkpoint: plan.resume ? join(outDir, 'last') : undefined,
    log,
    onProgress: progressBar(),
  });
  const trainable = trainableSummary(run.head);
  let config = plan.config;
  if (config.recipe === 'learnable-gpt') {
    const { epochs, batchSize, lr, schedule, clipNorm } = plan.train;
    log(
      `recipe learnable-gpt (the original code's model, loss and defaults): ${epochs} epochs, batch ${batchSize}, lr ${lr}, ${schedule} schedule, ${clipNorm === null ? 'no clipping' : `clip ${clipNorm}`}`,
    );
  }
  log(
    `${name}: ${run.loaded.source}, variant ${config.variant}, ${config.fineTuneMode}; ${trainable}`,
  );
  if (!plan.resume) config = { ...config, pretrained: run.loaded.pretrained };
  // Fine-tuning a pretrained GPT-2 in full wants a small step; fresh weights and adapters a large
  // one. Chosen once, when the run starts: a resumed run has its lr in run.json.
  const fullPretrained = config.fineTuneMode === 'full-model' && config.pretrained === true;
  const lr = plan.train.lr ?? (fullPretrained ? 1e-5 : 1e-3);
  const summary = await train(run, config, {
    ...plan.train,
    patience: plan.train.patience ?? undefined,
    lr,
    outDir,
    resume: plan.resume,
    overwrite: plan.overwrite,
    log,
  });
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

/** `--model`: a GPT-2 size name, or a folder that exists (its files are checked when loaded). */
/**
 * `--model`: a preset, or what `fromPretrained` resolves (a folder, an http(s) URL, a Hub id). A
 * folder is recorded absolute, so `--resume` finds it from any working folder.
 */
async function modelFlag(model: string): Promise<string> {
  if ((GPT2_PRESET_NAMES as string[]).includes(model)) return model;
  const location = await resolveLocation(model).catch((error: Error) => {
    throw new opt.UsageError(`--model: ${error.message}`);
  });
  return location.kind === 'local' ? resolve(model) : model;
}

type Requested = Omit<RunConfig, 'dataDir' | 'train'> & { train: TrainPlan['train'] };

/** The run the flags ask for (every flag checked), but its data folder. */
function requestedRun(
  name: TaskName,
  variant: RunConfig['variant'],
  flags: opt.ParsedFlags,
): { config: Omit<RunConfig, 'dataDir'>; train: TrainPlan['train'] } {
  const model = (flags.model as string) ?? 'tiny';
  const learnableGpt = opt.recipe((flags.recipe as string) ?? 'lgpt') === 'learnable-gpt';
  // The original scripts' loop where a flag does not say otherwise (see learnable-gpt-flags.ts).
  const defaults = {
    ...TRAIN_DEFAULTS,
    epochs: DEFAULT_EPOCHS[name],
    batchSize: DEFAULT_BATCH[name],
    lr: undefined as number | undefined,
    ...(learnableGpt ? seedTrainDefaults(name) : {}),
  };
  const clipNorm = opt.numberFlag('clip-norm', flags['clip-norm'], defaults.clipNorm ?? 0);
  const patience = opt.numberFlag('patience', flags.patience, TRAIN_DEFAULTS.patience);
  const requested = {
    config: {
      task: name,
      model,
      adapter: flags.adapter as string | undefined,
      variant,
      randomInit: flags['random-init'] === true,
      fineTuneMode: flags['fine-tune-mode']
        ? opt.fineTuneMode(flags['fine-tune-mode'] as string)
        : defaultFineTuneMode(variantSwitches(variant).useLora),
      seed: opt.numberFlag('seed', flags.seed, 11711),
      evalBatchSize: opt.numberFlag('eval-batch-size', flags['eval-batch-size'], 64),
      limit: flags.limit === undefined ? undefined : opt.numberFlag('limit', flags.limit, 0),
      settings: {
        dataset: opt.dataset((flags.dataset as string) ?? 'sst'),
        dropoutProb: opt.numberFlag('dropout', flags.dropout, 0.3),
        temperature: opt.numberFlag('temperature', flags.temperature, 1.2),
        topP: opt.numberFlag('top-p', flags['top-p'], 0.9),
        maxNewTokens: opt.numberFlag('max-new-tokens', flags['max-new-tokens'], 128),
      },
    },
    train: {
      epochs: opt.numberFlag('epochs', flags.epochs, defaults.epochs),
      batchSize: opt.numberFlag('batch-size', flags['batch-size'], defaults.batchSize),
      lr: flags.lr === undefined ? defaults.lr : opt.numberFlag('lr', flags.lr, 0),
      weightDecay: opt.numberFlag('weight-decay', flags['weight-decay'], defaults.weightDecay),
      schedule: opt.schedule((flags.schedule as string) ?? defaults.schedule),
      warmupSteps: opt.numberFlag('warmup-steps', flags['warmup-steps'], defaults.warmupSteps),
      clipNorm: clipNorm === 0 ? null : clipNorm,
      gradAccumulation: opt.numberFlag(
        'grad-accumulation',
        flags['grad-accumulation'],
        defaults.gradAccumulation,
      ),
      patience: Number.isFinite(patience) ? patience : null,
    },
  };
  if (!learnableGpt) return requested;
  return {
    config: seedRunConfig(name, requested.config, requested.train.batchSize, flags),
    train: requested.train,
  };
}

/** Flags that say where or how to run, not what: free to differ when a run is resumed. */
const PLACE_FLAGS = ['out', 'resume', 'overwrite', 'backend', 'data', 'help'] as const;
type RecordedFlag = Exclude<(typeof TRAIN_FLAGS)[number], (typeof PLACE_FLAGS)[number]>;

/**
 * Where `run.json` records what each flag resolved to. A flag added to `TRAIN_FLAGS` must be added
 * here (or to `PLACE_FLAGS`), so `--resume` compares it too.
 */
const RECORDED: Record<RecordedFlag, (run: Requested) => unknown> = {
  recipe: (r) => r.recipe ?? 'lgpt',
  model: (r) => r.model,
  adapter: (r) => r.adapter,
  variant: (r) => r.variant,
  'random-init': (r) => r.randomInit,
  'fine-tune-mode': (r) => r.fineTuneMode,
  seed: (r) => r.seed,
  'eval-batch-size': (r) => r.evalBatchSize,
  limit: (r) => r.limit,
  dataset: (r) => r.settings.dataset,
  dropout: (r) => r.settings.dropoutProb,
  temperature: (r) => r.settings.temperature,
  'top-p': (r) => r.settings.topP,
  'max-new-tokens': (r) => r.settings.maxNewTokens,
  epochs: (r) => r.train.epochs,
  'batch-size': (r) => r.train.batchSize,
  lr: (r) => r.train.lr,
  'weight-decay': (r) => r.train.weightDecay,
  schedule: (r) => r.train.schedule,
  'warmup-steps': (r) => r.train.warmupSteps,
  'clip-norm': (r) => r.train.clipNorm,
  'grad-accumulation': (r) => r.train.gradAccumulation,
  patience: (r) => r.train.patience,
};

/** `--resume` with a flag whose value differs from the run's own is an error naming the flag. */
function checkResumeFlags(
  flags: opt.ParsedFlags,
  requested: Requested,
  saved: RunConfig,
  checkpoint: string,
): void {
  for (const [flag, recorded] of Object.entries(RECORDED) as [
    RecordedFlag,
    (r: Requested) => unknown,
  ][]) {
    if (flags[flag] === undefined) continue;
    const [given, was] = [recorded(requested), recorded(saved as Requested)];
    if (JSON.stringify(given) !== JSON.stringify(was)) {
      throw new opt.UsageError(
        `--${flag} ${flags[flag]} differs from the run's ${JSON.stringify(was ?? null)} (${checkpoint}/run.json): --resume continues a run with its own options; leave the flag out, or start a new run`,
      );
    }
  }
}
