import { manualSeed } from '@lgpt/core';
import { GPT2LMHeadModel, GPT2Tokenizer, gpt2Preset } from '@lgpt/gpt2';
import { corpusOf, sonnetsOf } from './corpus-text.js';
import { SETTINGS } from './settings.js';
import { subsetTokenizer } from './subset-tokenizer.js';

/** Where the page finds the checkpoint `writeDefaultCheckpoint` made (under Vite's `public/`). */
export const DEFAULT_CHECKPOINT_PATH = 'models/sonnets-tiny';

/**
 * The page's default checkpoint, written at build time (Node): a randomly initialised tiny GPT-2
 * (seed `SETTINGS.seed`) with GPT-2's tokenizer cut down to the sonnets, saved as Hugging Face
 * files (`config.json`, `model.safetensors`, `vocab.json`, `merges.txt`, …) so the page loads it
 * over HTTP through `fromPretrained`, the same code that loads a Hub model.
 */
export async function writeDefaultCheckpoint(dir: string, sonnetsFile: string): Promise<void> {
  const tokenizer = subsetTokenizer(await GPT2Tokenizer.load(), corpusOf(sonnetsOf(sonnetsFile)));
  const { vocabSize, eosTokenId } = tokenizer;
  manualSeed(SETTINGS.seed);
  const config = gpt2Preset('tiny', {
    ...SETTINGS.model,
    vocabSize,
    bosTokenId: eosTokenId,
    eosTokenId,
  });
  const model = new GPT2LMHeadModel(config);
  try {
    await model.savePretrained(dir, { overwrite: true });
    await tokenizer.savePretrained(dir, { overwrite: true });
  } finally {
    model.dispose();
  }
}
