/**
 * `@lgpt/lora/layers`: LoRA for tfjs-layers models (optional peer `@tensorflow/tfjs-layers`).
 */
export { LoraConfig, type LoraConfigInit } from '../config.js';
export { type ApplyLoraOptions, applyLora, LayersLoraModel } from './layers-lora-model.js';
export { LoraDense } from './lora-dense.js';
