export {
  ALL_LINEAR,
  type InitLoraWeights,
  type LoraBias,
  LoraConfig,
  type LoraConfigInit,
  toLoraConfig,
} from './config.js';
export { DoraMagnitude, type DoraWeights, doraDelta } from './dora.js';
export {
  type LoraLinearWeights,
  type LoraWeights,
  loraDelta,
  loraDeltaWeight,
  loraLinear,
} from './functional.js';
export { LoRALinear, type LoraLayerOptions, LoraLinear } from './lora-linear.js';
export { type InjectOptions, LoraModel } from './lora-model.js';
export {
  checkTargetModuleExists,
  getPatternKey,
  type TargetDecision,
  type TargetSelection,
} from './matching.js';
export { ModulesToSaveWrapper } from './modules-to-save.js';
export {
  fromPeftDict,
  fromPeftJson,
  PEFT_FORMAT_VERSION,
  toPeftDict,
  toPeftJson,
} from './peft-json.js';
export { type FromPretrainedOptions, getPeftModel, PeftModel } from './peft-model.js';
export {
  ADAPTER_CONFIG_NAME,
  ADAPTER_WEIGHTS_NAME,
  type LoadAdapterOptions,
  type SavePretrainedOptions,
} from './pretrained.js';
export { getPeftModelStateDict, PEFT_KEY_PREFIX, setPeftModelStateDict } from './state-dict.js';
