// SST-5 sentiment with LoRA: GPT-2 frozen, adapters on its MLP (r 16, alpha 32, as Learnable-GPT)
// plus a linear classifier on the last real token. `pnpm example sentiment-lora --help`.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '@lgpt/core';
import { loadSentimentData, trainableSummary } from '@lgpt/tasks';
import { openRun, type RunConfig, train } from '@lgpt/tasks/node';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '2' },
    limit: { type: 'string', default: '2000' },
    out: { type: 'string', default: fileURLToPath(new URL('../out/', import.meta.url)) },
    overwrite: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(
    `Usage: pnpm example sentiment-lora [--model tiny|<hf-folder>] [--backend wasm] [--epochs 2] [--limit 2000] [--out dir] [--overwrite]`,
  );
  process.exit(0);
}

async function main(): Promise<void> {
  const dataDir = fileURLToPath(new URL('../../../data/cs224n/', import.meta.url));
  // `pnpm example` runs this from the example's folder; INIT_CWD is where the command was typed.
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), flags.out);
  if (existsSync(outDir)) {
    if (!flags.overwrite) throw new Error(`${outDir} exists: pass --overwrite to replace it`);
    await rm(outDir, { recursive: true });
  }
  await initBackend(flags.backend as BackendName);

  const config: RunConfig = {
    task: 'sentiment',
    model: flags.model,
    variant: 'lora',
    randomInit: false,
    fineTuneMode: 'adapters',
    seed: 11711,
    dataDir,
    evalBatchSize: 64,
    limit: Number(flags.limit),
    settings: { dataset: 'sst', dropoutProb: 0.3 },
  };
  const run = await openRun(config, { log: console.log });
  console.log(`${run.loaded.source} + LoRA: ${trainableSummary(run.head)}`);
  const summary = await train(run, config, {
    epochs: Number(flags.epochs),
    batchSize: 32,
    lr: 1e-3,
    outDir,
  });

  // The baseline to beat: always answering the most frequent dev class.
  const dev = (await loadSentimentData(`${dataDir}/ids-sst-dev.csv`)).examples;
  const counts = new Map<number, number>();
  for (const { label } of dev) counts.set(label, (counts.get(label) ?? 0) + 1);
  const majority = Math.max(...counts.values()) / dev.length;
  console.log(
    `best dev accuracy ${summary.best!.dev_accuracy.toFixed(3)} (majority class ${majority.toFixed(3)}) after ${summary.seconds.toFixed(0)} s; adapter saved in ${outDir}/best/adapter`,
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
