import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '@lgpt/core';
import type { TaskRun } from '../tasks/types.js';
import { JsonFields, readJsonRecord } from './json-fields.js';
import { killPoint } from './kill-point.js';
import { recoverReplacement, replaceDir } from './replace-dir.js';
import { ADAPTER_DIR, HEAD_FILE, headParameters, MODEL_DIR } from './run.js';
import { RUN_FILE, type RunConfig } from './run-config.js';

/** Written last into every checkpoint folder: it is complete, and holds the weights after `epoch`. */
export const CHECKPOINT_FILE = 'checkpoint.json';

export interface SaveCheckpointOptions {
  /** The epoch whose weights these are (0-based), recorded in `checkpoint.json`. */
  epoch: number;
  /** Writes more files into the new folder (the trainer's state), before `checkpoint.json`. */
  extra?: (dir: string) => Promise<void>;
  /** Names the kill points of this write (see `killPoint`). */
  label?: string;
}

/**
 * Saves what a run trained into `target`, replacing it only once the new copy is complete (see
 * `replaceDir`): `run.json`; the PEFT adapter (`adapter/`, when LoRA trains — an adapter-only
 * checkpoint); the fine-tuned GPT-2 as a Hugging Face folder with its tokenizer (`model/`, when
 * GPT-2's own weights train); the task head (`head.safetensors`, when it has parameters); then
 * `checkpoint.json`. Frozen base weights are never copied. A `learnable-gpt` recipe run
 * writes its own weights (`seed.safetensors`).
 */
export async function saveCheckpoint(
  target: string,
  run: TaskRun,
  config: RunConfig,
  { epoch, extra, label = target }: SaveCheckpointOptions,
): Promise<void> {
  await replaceDir(
    target,
    async (dir) => {
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
      killPoint(`${label}:writing`);
      await extra?.(dir);
      await writeCheckpointFile(dir, epoch);
    },
    { label },
  );
}

/**
 * Copies the checkpoint `source` to `target` (replacing it as `saveCheckpoint` does), leaving out
 * the files named in `except`: how `best/` is rebuilt from `last/` when a crash came between them.
 */
export async function copyCheckpoint(
  source: string,
  target: string,
  except: readonly string[],
): Promise<void> {
  const epoch = await checkpointEpoch(source);
  if (epoch === null)
    throw new Error(`${source} is not a complete checkpoint (no ${CHECKPOINT_FILE})`);
  await replaceDir(target, async (dir) => {
    const skipped = new Set([CHECKPOINT_FILE, ...except].map((file) => join(source, file)));
    await cp(source, dir, { recursive: true, filter: (path) => !skipped.has(path) });
    await writeCheckpointFile(dir, epoch);
  });
}

/** The epoch a complete checkpoint folder holds, or null when it is absent or incomplete. */
export async function checkpointEpoch(dir: string): Promise<number | null> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  return new JsonFields(path, await readJsonRecord(path)).number('epoch', {
    integer: true,
    min: 0,
  });
}

/** Finishes a checkpoint replacement a crash interrupted (see `recoverReplacement`). */
export async function recoverCheckpoint(dir: string): Promise<void> {
  await recoverReplacement(dir, {
    isComplete: async (fresh) => (await checkpointEpoch(fresh)) !== null,
  });
}

async function writeCheckpointFile(dir: string, epoch: number): Promise<void> {
  await writeFile(join(dir, CHECKPOINT_FILE), `${JSON.stringify({ epoch }, null, 2)}\n`);
}
