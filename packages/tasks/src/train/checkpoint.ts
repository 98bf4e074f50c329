import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '@lgpt/core';
import type { TaskRun } from '../tasks/types.js';
import {
  ADAPTER_DIR,
  HEAD_FILE,
  headParameters,
  MODEL_DIR,
  RUN_FILE,
  type RunConfig,
} from './run.js';

/**
 * Saves what a run trained into `dir` (replacing it once the new copy is complete): `run.json`;
 * the PEFT adapter
 * (`adapter/`, when LoRA trains — an adapter-only checkpoint); the fine-tuned GPT-2 as a Hugging
 * Face folder with its tokenizer (`model/`, when GPT-2's own weights train); the task head
 * (`head.safetensors`, when it has parameters). Frozen base weights are never copied. A
 * `learnable-gpt` recipe run writes its own weights (`seed.safetensors`).
 */
export async function saveCheckpoint(
  target: string,
  run: TaskRun,
  config: RunConfig,
  extra: (dir: string) => Promise<void> = async () => {},
): Promise<void> {
  const dir = `${target}.partial`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, RUN_FILE), `${JSON.stringify(config, null, 2)}\n`);
  if ('recipe' in run.loaded) {
    await run.loaded.save(dir);
  } else {
    const { lm, peft, tokenizer } = run.loaded;
    if (peft) {
      await peft.savePretrained(join(dir, ADAPTER_DIR));
    } else if (lm.namedParameters({ trainableOnly: true }).length > 0) {
      await lm.savePretrained(join(dir, MODEL_DIR));
      await tokenizer.savePretrained(join(dir, MODEL_DIR));
    }
    const head = headParameters(run);
    if (head.length) await writeSafetensors(join(dir, HEAD_FILE), Object.fromEntries(head));
  }
  await extra(dir);
  await rm(target, { recursive: true, force: true });
  await rename(dir, target);
}
