import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lgpt/core';
import { loadModel } from '../../models/load-model.js';
import { ADAPTER_DIR, MODEL_DIR } from '../../train/run.js';
import { readRunConfig } from '../../train/run-config.js';
import * as opt from '../options.js';
import { progressBar } from '../progress-bar.js';
import { generateLearnableGpt } from './generate-learnable-gpt.js';

const FLAGS = [
  'recipe',
  'model',
  'adapter',
  'variant',
  'checkpoint',
  'prompt',
  'backend',
  'max-new-tokens',
  'temperature',
  'top-p',
  'greedy',
  'seed',
  'random-init',
  'help',
] as const satisfies readonly opt.FlagName[];

/**
 * `lgpt generate --prompt <text>`: continues a prompt with a model (`--model`) or a trained
 * checkpoint (`--checkpoint`), streaming the text as it is generated to stdout (it writes no file).
 */
export async function generateCommand(argv: string[]): Promise<void> {
  const { flags } = opt.parseFlags('generate', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(
      opt.helpText(
        'generate',
        '--prompt <text> [--model <m> | --checkpoint <dir>] [options]',
        FLAGS,
      ),
    );
    return;
  }
  // Every flag is checked before the backend or a model is loaded.
  const prompt = flags.prompt as string | undefined;
  if (!prompt) throw new opt.UsageError('--prompt <text> is required');
  const backend = opt.backend((flags.backend as string) ?? 'wasm');
  const seed = opt.numberFlag('seed', flags.seed, 11711);
  const sampling = {
    doSample: flags.greedy !== true,
    temperature: opt.numberFlag('temperature', flags.temperature, 1.2),
    topP: opt.numberFlag('top-p', flags['top-p'], 0.9),
    topK: 0,
    maxNewTokens: opt.numberFlag('max-new-tokens', flags['max-new-tokens'], 128),
    seed,
  };
  const checkpoint = flags.checkpoint as string | undefined;
  const savedConfig = checkpoint ? await readRunConfig(checkpoint) : null;
  const recipe = savedConfig?.recipe ?? opt.recipe((flags.recipe as string) ?? 'lgpt');
  if (recipe === 'learnable-gpt') {
    const from = checkpoint && savedConfig ? { dir: checkpoint, config: savedConfig } : null;
    await generateLearnableGpt(flags, prompt, seed, from);
    return;
  }
  const spec = savedConfig
    ? savedConfig
    : {
        model: (flags.model as string) ?? 'tiny',
        adapter: flags.adapter as string | undefined,
        variant: opt.variant((flags.variant as string) ?? 'base'),
        randomInit: flags['random-init'] === true,
      };
  await initBackend(backend);
  const saved = checkpoint
    ? {
        modelDir: existsSync(join(checkpoint, MODEL_DIR)) ? join(checkpoint, MODEL_DIR) : undefined,
        adapterDir: existsSync(join(checkpoint, ADAPTER_DIR))
          ? join(checkpoint, ADAPTER_DIR)
          : undefined,
      }
    : {};
  const { lm, tokenizer } = await loadModel({ ...spec, seed }, saved, {
    onProgress: progressBar(),
  });
  lm.eval();
  const ids = tokenizer.encode(prompt);
  const generated: number[] = [];
  let printed = '';
  process.stdout.write(prompt);
  await lm.generate([ids], {
    ...sampling,
    onToken: ({ tokens, finished }) => {
      if (finished[0] && tokens[0] === tokenizer.eosTokenId) return;
      generated.push(tokens[0]);
      // Decode the whole continuation: a character may span several byte-level tokens.
      const text = tokenizer.decode(generated);
      if (!text.endsWith('\uFFFD')) {
        process.stdout.write(text.slice(printed.length));
        printed = text;
      }
    },
  });
  process.stdout.write('\n');
  lm.dispose();
}
