import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@lgpt/core';
import { fixturePath } from '@lgpt/core/testing';
import type * as tf from '@tensorflow/tfjs-core';

export const FIXTURE_DIR = fixturePath('gpt2');
export const MODEL_DIR = fixturePath('gpt2', 'model');
export const DATA_DIR = fileURLToPath(new URL('../../../../data/cs224n/', import.meta.url));

/** The parts of golden.json the tests read (the rest is in golden.safetensors too). */
export interface GoldenJson {
  input_ids: number[][];
  attention_mask: number[][];
}

export function goldenJson(): GoldenJson {
  return JSON.parse(readFileSync(fixturePath('gpt2', 'golden.json'), 'utf8'));
}

/** The golden tensors (the caller disposes them). */
export function goldenTensors(): Promise<Record<string, tf.Tensor>> {
  return readSafetensors(fixturePath('gpt2', 'golden.safetensors'));
}
