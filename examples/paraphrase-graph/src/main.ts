// Quora paraphrase detection with graph attention: each GPT-2 block gets a causal GAT sub-layer
// (@lgpt/gat), and the answer is read from the LM's next-token logits for "yes" / "no".
// `pnpm example paraphrase-graph --help`.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '@lgpt/core';
import { trainableSummary } from '@lgpt/tasks';
import { openRun, type RunConfig, train } from '@lgpt/tasks/node';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '1' },
    limit: { type: 'string', default: '3000' },
    out: { type: 'string', default: fileURLToPath(new URL('../out/', import.meta.url)) },
    overwrite: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(
    `Usage: pnpm example paraphrase-graph [--model tiny|<hf-folder>] [--backend wasm] [--epochs 1] [--limit 3000] [--out dir] [--overwrite]`,
  );
  process.exit(0);
}

async function main(): Promise<void> {
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), flags.out);
  if (existsSync(outDir)) {
    if (!flags.overwrite) throw new Error(`${outDir} exists: pass --overwrite to replace it`);
    await rm(outDir, { recursive: true });
  }
  await initBackend(flags.backend as BackendName);

  const config: RunConfig = {
    task: 'paraphrase',
    model: flags.model,
    variant: 'graph',
    randomInit: false,
    fineTuneMode: 'full-model',
    seed: 11711,
    dataDir: fileURLToPath(new URL('../../../data/cs224n/', import.meta.url)),
    evalBatchSize: 64,
    limit: Number(flags.limit),
    // The bundled data has only quora-dev.csv: 5% of it is held out as dev, the rest trains.
    settings: { devFraction: 0.05 },
  };
  const run = await openRun(config, { log: console.log });
  console.log(`${run.loaded.source} + graph attention: ${trainableSummary(run.head)}`);
  const summary = await train(run, config, {
    epochs: Number(flags.epochs),
    batchSize: 16,
    lr: run.loaded.pretrained ? 1e-5 : 1e-3,
    outDir,
  });
  console.log(
    `best dev accuracy ${summary.best!.dev_accuracy.toFixed(3)}, macro F1 ${summary.best!.dev_macro_f1.toFixed(3)} after ${summary.seconds.toFixed(0)} s; checkpoint in ${outDir}/best`,
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
