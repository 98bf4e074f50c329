import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturePath } from '@lgpt/core/testing';
import { GPT2Config, type GPT2ConfigFields, GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

export const FIXTURES = fixturePath();
export const GPT2_DIR = join(FIXTURES, 'gpt2', 'model');
export const ADAPTER_DIR = join(FIXTURES, 'lora', 'adapter');

export async function readGpt2Config(): Promise<GPT2Config> {
  return GPT2Config.fromJSON(JSON.parse(await readFile(join(GPT2_DIR, 'config.json'), 'utf8')));
}

/** The fixture GPT-2 (`@lgpt/gpt2`) with its weights, or a random one of another shape; eval mode. */
export async function loadGpt2(
  overrides: Partial<GPT2ConfigFields> = {},
): Promise<GPT2LMHeadModel> {
  if (Object.keys(overrides).length === 0) return GPT2LMHeadModel.fromPretrained(GPT2_DIR);
  return new GPT2LMHeadModel((await readGpt2Config()).with(overrides)).eval();
}

/** Next-token logits `[B, T, vocab]` of a GPT-2, or of a `PeftModel` wrapping one. */
export function logits(
  model: { forward(ids: tf.Tensor2D): { logits: tf.Tensor3D } },
  ids: tf.Tensor,
): tf.Tensor3D {
  return tf.tidy(() => model.forward(ids as tf.Tensor2D).logits);
}
