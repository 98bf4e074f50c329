import type { SeedFineTuneMode } from './recipe-defaults.js';
import type { SeedTask } from './seed-config.js';
import type { SeedTaskModel } from './task-model.js';

/**
 * Sets `requires_grad` as the seed's scripts do after building the model, overriding whatever the
 * LoRA / LoRA-KAN layers froze:
 * - sentiment `last-linear-layer`: every `gpt.*` parameter frozen (adapters included), only the
 *   classifier trains (`classifier.py:56`);
 * - sentiment `full-model`, paraphrase and sonnet: every `gpt.*` parameter trains
 *   (`paraphrase_detection.py:69`, `sonnet_generation.py:66`).
 */
export function applySeedFineTuneMode(model: SeedTaskModel, mode: SeedFineTuneMode): void {
  checkSeedFineTuneMode(model.task, mode);
  model.gpt.requiresGrad(mode === 'full-model');
}

/** Only `classifier.py` has the flag; the other two scripts always fine-tune the full model. */
export function checkSeedFineTuneMode(
  task: SeedTask,
  mode: string,
): asserts mode is SeedFineTuneMode {
  const allowed = task === 'sentiment' ? ['last-linear-layer', 'full-model'] : ['full-model'];
  if (!allowed.includes(mode)) {
    throw new Error(
      `fineTuneMode '${mode}' is not one the seed's ${task} script has (allowed: ${allowed.join(', ')})`,
    );
  }
}
