/**
 * How a run builds and trains its model:
 * - `lgpt` (default): lgpt's own choices (padding masked, causal token graph, PEFT LoRA, schedules);
 * - `learnable-gpt`: the original Learnable-GPT code as it ran, quirks included (`learnable-gpt/`).
 * See docs/learnable-gpt.md for the differences.
 */
export const RECIPE_NAMES = ['lgpt', 'learnable-gpt'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];
