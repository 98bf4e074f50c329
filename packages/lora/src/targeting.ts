import { isLinearLike, type Module } from '@lgpt/core';
import { ALL_LINEAR, isUsingLayers, type LoraConfig } from './config.js';
import { LoraLinear } from './lora-linear.js';
import { checkTargetModuleExists, isModuleToSave } from './matching.js';
import { ModulesToSaveWrapper } from './modules-to-save.js';

/**
 * The modules of `model` an adapter applies to, by dotted name, after checking each one can be
 * adapted (so a bad config fails before anything is replaced). Modules inside existing LoRA layers
 * or `modulesToSave` wrappers are never targets, so adapters do not nest.
 */
export function findTargets(model: Module, config: LoraConfig): [string, Module][] {
  const targets: [string, Module][] = [];
  let excluded = 0;
  for (const [key, module] of adaptableModules(model)) {
    const decision = checkTargetModuleExists(config, key);
    if (decision === 'excluded') excluded++;
    if (decision !== 'target') continue;
    if (!(module instanceof LoraLinear) && !isLinearLike(module)) {
      throw new Error(
        `target module '${key}' (${module.constructor.name}) matches targetModules but is not linear-like: @lgpt/lora adapts modules implementing LinearLike (inFeatures, outFeatures, fanInFanOut, weight, forward), e.g. Linear and Conv1D`,
      );
    }
    targets.push([key, module]);
  }
  if (targets.length === 0) throw new Error(noTargetsMessage(model, config, excluded));
  return targets;
}

/** Every module except the root and what lives inside adapter wrappers. */
function adaptableModules(model: Module): [string, Module][] {
  const out: [string, Module][] = [];
  const wrappers: string[] = [];
  for (const [key, module] of model.namedModules()) {
    if (key === '' || wrappers.some((w) => key.startsWith(`${w}.`))) continue;
    if (module instanceof LoraLinear || module instanceof ModulesToSaveWrapper) wrappers.push(key);
    out.push([key, module]);
  }
  return out;
}

function noTargetsMessage(model: Module, config: LoraConfig, excluded: number): string {
  const lines = [
    `Target modules ${JSON.stringify(config.targetModules)} not found in the base model. Please check the target modules and try again.`,
  ];
  if (excluded > 0)
    lines.push(`${excluded} matching module(s) were excluded by excludeModules or modulesToSave.`);
  if (isUsingLayers(config.layersToTransform)) {
    lines.push(
      `layersToTransform=${JSON.stringify(config.layersToTransform)} with layersPattern=${JSON.stringify(config.layersPattern)} may exclude every match.`,
    );
  }
  const linear = adaptableModules(model)
    .filter(([, m]) => isLinearLike(m))
    .map(([k]) => k);
  lines.push(
    `Linear-like modules of this model: ${linear.slice(0, 12).join(', ') || '(none)'}${linear.length > 12 ? ', …' : ''}`,
  );
  return lines.join('\n');
}

/**
 * PEFT's `_maybe_include_all_linear_layers`: `'all-linear'` becomes the names of every linear-like
 * module except the output layer: the module `model.getOutputEmbeddings()` returns when the model
 * has that method (PEFT asks Transformers the same way), otherwise any module named `lm_head`.
 */
export function resolveAllLinear(config: LoraConfig, model: Module): void {
  const target = config.targetModules;
  if (typeof target !== 'string' || target.toLowerCase() !== ALL_LINEAR) return;
  const head = (model as { getOutputEmbeddings?(): Module | null }).getOutputEmbeddings?.();
  const isOutput = (key: string, module: Module) =>
    head !== undefined ? module === head : key === 'lm_head' || key.endsWith('.lm_head');
  config.targetModules = adaptableModules(model)
    .filter(([key, m]) => (m instanceof LoraLinear || isLinearLike(m)) && !isOutput(key, m))
    .map(([key]) => key)
    .sort();
}

/** Modules `modulesToSave` names (PEFT's plain suffix match), existing wrappers included. */
export function findModulesToSave(model: Module, config: LoraConfig): [string, Module][] {
  const found = adaptableModules(model).filter(([key]) =>
    isModuleToSave(config.modulesToSave, key),
  );
  for (const name of config.modulesToSave ?? []) {
    if (!found.some(([key]) => key.endsWith(name))) {
      throw new Error(`modulesToSave entry '${name}' matches no module of the model`);
    }
  }
  return found;
}
