import { initBackend } from '@lgpt/core';
import { openRun } from '../../train/run.js';
import { readRunConfig } from '../../train/run-config.js';
import * as opt from '../options.js';

const FLAGS = ['checkpoint', 'backend', 'data', 'help'] as const satisfies readonly opt.FlagName[];

/** `lgpt eval --checkpoint <dir>`: the checkpoint's dev metrics, as JSON on stdout (no file). */
export async function evalCommand(argv: string[]): Promise<void> {
  const { flags } = opt.parseFlags('eval', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(opt.helpText('eval', '--checkpoint <dir> [options]', FLAGS));
    return;
  }
  const run = await openCheckpoint(flags);
  run.head.eval();
  const metrics = await run.evaluate();
  process.stdout.write(`${JSON.stringify({ task: run.name, ...metrics }, null, 2)}\n`);
  run.head.dispose();
}

/** A checkpoint's run on the chosen backend (`--data` may point elsewhere than at training). */
export async function openCheckpoint(flags: opt.ParsedFlags) {
  const checkpoint = flags.checkpoint as string | undefined;
  if (!checkpoint)
    throw new opt.UsageError('--checkpoint <dir> is required (e.g. runs/sentiment-base/best)');
  const backend = opt.backend((flags.backend as string) ?? 'wasm');
  const config = await readRunConfig(checkpoint);
  if (flags.data !== undefined) config.dataDir = opt.dataDir(flags.data as string);
  await initBackend(backend);
  return openRun(config, { checkpoint, log: (line) => process.stderr.write(`${line}\n`) });
}
