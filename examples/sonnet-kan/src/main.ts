// Sonnets with KAN-LoRA (Learnable-GPT's hybrid): each GPT-2 MLP becomes a KAN, and LoRA adapts
// the KAN layers' base paths. Fine-tunes on Shakespeare's sonnets, then completes the held-out
// dev sonnets from their first 3 lines and scores them with chrF. `pnpm example sonnet-kan --help`.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '@lgpt/core';
import {
  formatGeneratedSonnets,
  loadSonnets,
  type SonnetGenerator,
  sonnetChrf,
  trainableSummary,
} from '@lgpt/tasks';
import { openRun, type RunConfig, train } from '@lgpt/tasks/node';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '2' },
    'max-new-tokens': { type: 'string', default: '48' },
    out: { type: 'string', default: fileURLToPath(new URL('../out/', import.meta.url)) },
    overwrite: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(
    `Usage: pnpm example sonnet-kan [--model tiny|<hf-folder>] [--backend wasm] [--epochs 2] [--max-new-tokens 48] [--out dir] [--overwrite]`,
  );
  process.exit(0);
}

async function main(): Promise<void> {
  const dataDir = fileURLToPath(new URL('../../../data/cs224n/', import.meta.url));
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), flags.out);
  if (existsSync(outDir)) {
    if (!flags.overwrite) throw new Error(`${outDir} exists: pass --overwrite to replace it`);
    await rm(outDir, { recursive: true });
  }
  await initBackend(flags.backend as BackendName);

  const config: RunConfig = {
    task: 'sonnet',
    model: flags.model,
    variant: 'kan-lora',
    randomInit: false,
    fineTuneMode: 'adapters',
    seed: 11711,
    dataDir,
    evalBatchSize: 16,
    // The reference's sampling (temperature 1.2, top-p 0.9); it generates up to 128 new tokens.
    settings: { temperature: 1.2, topP: 0.9, maxNewTokens: Number(flags['max-new-tokens']) },
  };
  const run = await openRun(config, { log: console.log });
  console.log(`${run.loaded.source} + KAN-LoRA: ${trainableSummary(run.head)}`);
  await train(run, config, {
    epochs: Number(flags.epochs),
    batchSize: 8,
    lr: 1e-3,
    outDir,
  });

  // The trained model completes the dev prompts; scored like the reference's test_sonnet.
  run.head.eval();
  const prompts = await loadSonnets(join(dataDir, 'sonnets_held_out_dev.txt'));
  const generator = run.head as SonnetGenerator;
  const completions = await generator.complete(run.loaded.tokenizer, prompts, {
    ...config.settings,
    seed: config.seed,
  });
  const generated = formatGeneratedSonnets(completions.map((text, id) => ({ id, text })));
  for (const sonnet of completions.slice(0, 2)) console.log(`\n${sonnet}\n`);
  const gold = await readFile(join(dataDir, 'TRUE_sonnets_held_out_dev.txt'), 'utf8');
  const score = sonnetChrf(generated, gold);
  const devFile = join(outDir, 'generated_sonnets_dev.txt');
  await writeFile(devFile, generated);
  console.log(
    `chrF ${score.score.toFixed(2)} over ${score.compared} held-out dev sonnets; all completions in ${devFile}`,
  );
  run.head.dispose();
}

try {
  await main();
} catch (error) {
  // Only the message: left uncaught, tfjs-backend-wasm's rejection handler prints its minified source.
  console.error(`error: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
