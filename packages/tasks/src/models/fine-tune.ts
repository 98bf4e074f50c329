import type { Module } from '@lgpt/core';
import type { GPT2LMHeadModel } from '@lgpt/gpt2';
import { newModuleKeys } from '../variants/variant.js';

/** The original project's fine-tuning modes, plus `adapters` for the LoRA/KAN/graph variants. */
export const FINE_TUNE_MODES = ['last-linear-layer', 'full-model', 'adapters'] as const;
export type FineTuneMode = (typeof FINE_TUNE_MODES)[number];

/** LoRA variants train their adapters; the others fine-tune the whole model. */
export function defaultFineTuneMode(hasLora: boolean): FineTuneMode {
  return hasLora ? 'adapters' : 'full-model';
}

/**
 * Sets which GPT-2 parameters train (the task head always does):
 * - `last-linear-layer`: none (the original's default for sentiment);
 * - `full-model`: all;
 * - `adapters`: only what the variant adds — LoRA weights (and `modules_to_save`), or, without
 *   LoRA, the new KAN / graph-attention modules.
 */
export function applyFineTuneMode(lm: GPT2LMHeadModel, mode: FineTuneMode, hasLora: boolean): void {
  if (!(FINE_TUNE_MODES as readonly string[]).includes(mode)) {
    throw new Error(`unknown fine-tune mode '${mode}' (known: ${FINE_TUNE_MODES.join(', ')})`);
  }
  if (mode === 'last-linear-layer') {
    lm.requiresGrad(false);
  } else if (mode === 'full-model') {
    if (hasLora) {
      throw new Error(
        "--fine-tune-mode full-model with a LoRA variant: use 'adapters' (LoRA trains the adapters only)",
      );
    }
    lm.requiresGrad(true);
  } else if (!hasLora) {
    // LoRA already froze everything but its adapters; otherwise train the variant's new modules.
    const fresh = newModuleKeys(lm.config);
    if (!fresh) {
      throw new Error(
        '--fine-tune-mode adapters needs a variant with adapters (lora, kan, kan-lora, graph, graph-lora); the base variant has none',
      );
    }
    for (const [name, param] of lm.namedParameters()) param.trainable = fresh.test(name);
  }
}

/** Trainable parameter count and total, as PEFT's `print_trainable_parameters` reports them. */
export function trainableSummary(module: Module): string {
  const trainable = module.numParameters({ trainableOnly: true });
  const total = module.numParameters();
  return `trainable params: ${trainable} || all params: ${total} || trainable%: ${((100 * trainable) / total).toFixed(4)}`;
}
