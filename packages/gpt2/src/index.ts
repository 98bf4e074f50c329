export { ACTIVATIONS, activation, geluErf, geluTanh } from './activations.js';
export { type AttentionOutput, GPT2Attention } from './attention.js';
export { attentionBias, causalBiasTable, MASKED, positionIdsFromMask } from './attention-bias.js';
export {
  type BlockContext,
  type BlockExtensions,
  type BlockOutput,
  GPT2Block,
  type ResidualSubLayer,
} from './block.js';
export type { LoadingInfo, LoadPretrainedOptions } from './checkpoint/load.js';
export type { SavePretrainedOptions } from './checkpoint/save.js';
export { GPT2_DEFAULTS, GPT2Config, type GPT2ConfigFields } from './config.js';
export { type CausalLM, generate, generateSteps } from './generation/generate.js';
export {
  applyRepetitionPenalty,
  applyTemperature,
  banRepeatedNgrams,
  keepTopK,
  keepTopP,
} from './generation/logits-processors.js';
export type { GenerateOptions, GenerationStep } from './generation/options.js';
export type { IntMatrix } from './inputs.js';
export { disposeCache, type LayerKV, type PastKeyValues, pastLength } from './kv-cache.js';
export { gatherLastToken } from './last-token.js';
export { LMHead } from './lm-head.js';
export { type CausalLMOutput, GPT2LMHeadModel } from './lm-head-model.js';
export { causalLmLoss, IGNORE_INDEX, type LmLossOptions, labelsFromMask } from './loss.js';
export { type FeedForward, GPT2MLP } from './mlp.js';
export {
  type ForwardOptions,
  GPT2Model,
  type GPT2ModelOptions,
  type GPT2ModelOutput,
} from './model.js';
export { GPT2_PRESET_NAMES, type GPT2PresetName, gpt2Preset } from './presets.js';
export type { LayerRngs } from './rngs.js';
export type { BatchEncodeOptions, BatchEncoding } from './tokenizer/batch-encode.js';
export {
  type DecodeOptions,
  type EncodeOptions,
  GPT2Tokenizer,
  type GPT2TokenizerOptions,
} from './tokenizer/tokenizer.js';
export { END_OF_TEXT, type Vocabulary } from './tokenizer/vocabulary.js';
