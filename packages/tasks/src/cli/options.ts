import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '@lgpt/core';
import { SEED_VARIANTS } from '../learnable-gpt/seed-config.js';
import { FINE_TUNE_MODES, type FineTuneMode } from '../models/fine-tune.js';
import { SCHEDULE_NAMES, type ScheduleName } from '../optim/schedules.js';
import { RECIPE_NAMES, type RecipeName } from '../tasks/recipes.js';
import { SENTIMENT_DATASETS, type SentimentDataset } from '../tasks/sentiment.js';
import { TASK_NAMES, type TaskName } from '../tasks/types.js';
import { describeRange, inRange, type NumberRange } from '../train/number-range.js';
import { OutputFolderError } from '../train/output-folder.js';
import { SEED_RANGE } from '../train/run-config.js';
import { TRAIN_DEFAULTS } from '../train/trainer.js';
import { VARIANT_NAMES, type VariantName } from '../variants/variant.js';

/** A command-line flag: its parser type, help text and default (shown in `--help`). */
interface Flag {
  type: 'string' | 'boolean';
  help: string;
  default?: string;
}

/** Every flag any command takes; each command lists the ones it accepts. */
export const FLAGS = {
  recipe: {
    type: 'string',
    help: `${RECIPE_NAMES.join(' | ')}: lgpt's own, or the original Learnable-GPT code's (docs/learnable-gpt.md)`,
    default: 'lgpt',
  },
  model: {
    type: 'string',
    help: 'tiny | gpt2 | gpt2-medium | gpt2-large | gpt2-xl | a Hugging Face GPT-2 folder, http(s) URL or Hub id (owner/name); downloaded into the Hugging Face cache (HF_HUB_CACHE, HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE)',
    default: 'tiny',
  },
  adapter: {
    type: 'string',
    help: 'a PEFT adapter (folder, http(s) URL or Hub id) loaded onto --model',
  },
  variant: {
    type: 'string',
    help: `${VARIANT_NAMES.join(' | ')}; with --recipe learnable-gpt: ${SEED_VARIANTS.join(' | ')} (or kan-lora)`,
    default: 'base',
  },
  backend: { type: 'string', help: 'cpu | wasm | webgpu | tensorflow', default: 'wasm' },
  data: {
    type: 'string',
    help: 'folder with the CS224N data files',
    default: 'the bundled data/cs224n',
  },
  dataset: {
    type: 'string',
    help: `sentiment data: ${SENTIMENT_DATASETS.join(' | ')}`,
    default: 'sst',
  },
  epochs: {
    type: 'string',
    help: 'training epochs',
    default: 'sentiment 3, paraphrase 1, sonnet 10; learnable-gpt recipe 10',
  },
  'batch-size': {
    type: 'string',
    help: 'training batch size',
    default: 'sentiment 32, paraphrase 16, sonnet 8; learnable-gpt recipe 8',
  },
  lr: {
    type: 'string',
    help: 'peak learning rate',
    default:
      '1e-5 to fine-tune a pretrained GPT-2 in full, else 1e-3; learnable-gpt recipe: sentiment 1e-3, else 1e-5',
  },
  'weight-decay': {
    type: 'string',
    help: 'AdamW weight decay',
    default: String(TRAIN_DEFAULTS.weightDecay),
  },
  seed: {
    type: 'string',
    help: 'random seed (weights, dropout, shuffling, sampling)',
    default: '11711',
  },
  out: {
    type: 'string',
    help: 'output folder (never replaced unless --overwrite)',
    default: 'runs/<task>-<variant>',
  },
  'fine-tune-mode': {
    type: 'string',
    help: FINE_TUNE_MODES.join(' | '),
    default:
      'adapters for LoRA variants, else full-model; learnable-gpt recipe: sentiment last-linear-layer, else full-model',
  },
  schedule: {
    type: 'string',
    help: SCHEDULE_NAMES.join(' | '),
    default: `${TRAIN_DEFAULTS.schedule}; learnable-gpt recipe constant`,
  },
  'warmup-steps': {
    type: 'string',
    help: 'learning-rate warmup steps',
    default: String(TRAIN_DEFAULTS.warmupSteps),
  },
  'clip-norm': {
    type: 'string',
    help: 'clip the gradient norm (0 = off)',
    default: `${TRAIN_DEFAULTS.clipNorm}; learnable-gpt recipe 0`,
  },
  'grad-accumulation': {
    type: 'string',
    help: 'micro-batches per optimizer step',
    default: String(TRAIN_DEFAULTS.gradAccumulation),
  },
  patience: {
    type: 'string',
    help: 'stop after this many epochs without a better dev score',
    default: 'never',
  },
  limit: {
    type: 'string',
    help: 'train on at most this many examples (a seeded random subset)',
    default: 'all',
  },
  'eval-batch-size': {
    type: 'string',
    help: 'batch size for evaluation and prediction',
    default: '64',
  },
  dropout: { type: 'string', help: 'sentiment classifier dropout', default: '0.3' },
  'random-init': {
    type: 'boolean',
    help: 'build a GPT-2 size with random weights unless the Hugging Face cache has it (never downloads)',
  },
  resume: { type: 'boolean', help: 'continue the run in --out from its last epoch' },
  overwrite: { type: 'boolean', help: 'replace an existing --out folder' },
  checkpoint: {
    type: 'string',
    help: 'a checkpoint folder written by `lgpt train` (e.g. runs/sentiment-base/best)',
  },
  prompt: { type: 'string', help: 'text to continue' },
  'max-new-tokens': { type: 'string', help: 'tokens to generate', default: '128' },
  temperature: { type: 'string', help: 'sampling temperature', default: '1.2 (the reference)' },
  'top-p': { type: 'string', help: 'nucleus sampling threshold', default: '0.9' },
  greedy: { type: 'boolean', help: 'greedy decoding instead of sampling' },
  variants: {
    type: 'string',
    help: `comma-separated variants to compare`,
    default: VARIANT_NAMES.join(','),
  },
  help: { type: 'boolean', help: 'show this help' },
} satisfies Record<string, Flag>;

export type FlagName = keyof typeof FLAGS;
export type ParsedFlags = Partial<Record<FlagName, string | boolean>>;

/** Parses `argv` strictly: an unknown flag or a missing value is an error naming it. */
export function parseFlags(
  command: string,
  argv: string[],
  accepted: readonly FlagName[],
): { flags: ParsedFlags; positionals: string[] } {
  const options = Object.fromEntries(accepted.map((name) => [name, { type: FLAGS[name].type }]));
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { flags: values as ParsedFlags, positionals };
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split('\n')[0]} (see: lgpt ${command} --help)`,
    );
  }
}

/** A mistake in the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export function helpText(command: string, usage: string, accepted: readonly FlagName[]): string {
  const width = Math.max(...accepted.map((n) => n.length)) + 4;
  const lines = accepted.map((name) => {
    const flag: Flag = FLAGS[name];
    const def = flag.default === undefined ? '' : ` (default: ${flag.default})`;
    return `  --${name.padEnd(width - 2)}${flag.help}${def}`;
  });
  return `Usage: lgpt ${command} ${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}

/** Output-folder problems found before any work are mistakes in the command line (exit code 2). */
export async function guardOut<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof OutputFolderError) throw new UsageError(`--out ${error.message}`);
    throw error;
  }
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  }
  return value as T;
}

const COUNT = { integer: true, min: 1 };

/** What each numeric flag accepts: checked before any work, so no run fails on it an epoch later. */
export const FLAG_RANGES = {
  epochs: COUNT,
  'batch-size': COUNT,
  lr: { min: 0 },
  'weight-decay': { min: 0 },
  seed: SEED_RANGE,
  'warmup-steps': { integer: true, min: 0 },
  'clip-norm': { min: 0 },
  'grad-accumulation': COUNT,
  patience: COUNT,
  limit: COUNT,
  'eval-batch-size': COUNT,
  dropout: { min: 0, below: 1 },
  'max-new-tokens': COUNT,
  // Hugging Face's generate() refuses these too: temperature 0 divides by zero, top-p outside (0, 1]
  // keeps no token or is not a probability.
  temperature: { above: 0 },
  'top-p': { above: 0, max: 1 },
} satisfies Partial<Record<FlagName, NumberRange>>;

export type NumericFlag = keyof typeof FLAG_RANGES;

/** The flag's number, checked against its range (an error names the flag), or `fallback` if absent. */
export function numberFlag(
  flag: NumericFlag,
  value: string | boolean | undefined,
  fallback: number,
): number {
  const range: NumberRange = FLAG_RANGES[flag];
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!inRange(n, range)) {
    throw new UsageError(`--${flag} must be ${describeRange(range)}; got '${value}'`);
  }
  return n;
}

export function task(value: string | undefined, command: string): TaskName {
  if (!value) throw new UsageError(`lgpt ${command} needs a task: ${TASK_NAMES.join(', ')}`);
  return oneOf('task', value, TASK_NAMES);
}

export const recipe = (value: string) => oneOf<RecipeName>('recipe', value, RECIPE_NAMES);
export const variant = (value: string) => oneOf<VariantName>('variant', value, VARIANT_NAMES);
export const backend = (value: string) =>
  oneOf<BackendName>('backend', value, ['cpu', 'wasm', 'webgpu', 'tensorflow']);
export const fineTuneMode = (value: string) =>
  oneOf<FineTuneMode>('fine-tune-mode', value, FINE_TUNE_MODES);
export const schedule = (value: string) => oneOf<ScheduleName>('schedule', value, SCHEDULE_NAMES);
export const dataset = (value: string) =>
  oneOf<SentimentDataset>('dataset', value, SENTIMENT_DATASETS);

/** A flag naming a folder that must exist; `what` says what else the value could have been. */
export function folderFlag(flag: string, value: string, what = 'no such folder'): string {
  if (!statSync(value, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--${flag} ${value}: ${what}`);
  }
  return resolve(value);
}

/**
 * `--data`, or the CS224N data bundled with the repository: `data/cs224n` in the working folder or
 * one above it, or next to this package in the lgpt repository.
 */
export function dataDir(value: string | undefined): string {
  if (value !== undefined) return folderFlag('data', value);
  const candidates: string[] = [];
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'data', 'cs224n'));
    if (dirname(dir) === dir) break;
  }
  candidates.push(
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'cs224n'),
  );
  const found = candidates.find((dir) => existsSync(join(dir, 'ids-sst-train.csv')));
  if (!found) throw new UsageError('no CS224N data found: pass --data <folder>');
  return found;
}
