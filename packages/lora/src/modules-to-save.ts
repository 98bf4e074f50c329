import { Module, ModuleDict, type Parameter } from '@lgpt/core';

type Forwardable = Module & { forward(...args: unknown[]): unknown };

/**
 * PEFT's `ModulesToSaveWrapper`: a module listed in `modulesToSave` trains in full as a per-adapter
 * copy (`modules_to_save.<adapter>`) while the frozen `original_module` is what runs when adapters
 * are disabled. `forward`, `weight` and `bias` go to the module in use.
 */
export class ModulesToSaveWrapper extends Module {
  readonly originalModule: Module;
  readonly modulesToSave: ModuleDict;
  private active: string | null;
  private adaptersDisabled = false;

  constructor(module: Module, adapterName: string) {
    super();
    this.originalModule = this.registerModule('original_module', module);
    this.modulesToSave = this.registerModule('modules_to_save', new ModuleDict());
    this.active = adapterName;
    this.update(adapterName);
  }

  get activeAdapter(): string | null {
    return this.active;
  }

  adapterNames(): string[] {
    return this.modulesToSave.keys();
  }

  /** Adds a trainable copy of the original module for `adapterName` (if it has none yet). */
  update(adapterName: string, inferenceMode = false): void {
    if (!this.modulesToSave.has(adapterName)) {
      this.modulesToSave.set(adapterName, this.originalModule.clone());
    }
    this.originalModule.requiresGrad(false);
    this.modulesToSave.get(adapterName).requiresGrad(adapterName === this.active && !inferenceMode);
  }

  setAdapter(adapterName: string, inferenceMode = false): void {
    if (!this.modulesToSave.has(adapterName)) {
      throw new Error(
        `modules_to_save has no copy for adapter '${adapterName}' (has: ${this.adapterNames().join(', ')})`,
      );
    }
    this.modulesToSave.requiresGrad(false);
    this.modulesToSave.get(adapterName).requiresGrad(!inferenceMode);
    this.active = adapterName;
  }

  /** As PEFT: disabled, the original module runs (and is the trainable one). */
  enableAdapters(enabled: boolean): void {
    this.adaptersDisabled = !enabled;
    this.modulesToSave.requiresGrad(false);
    this.originalModule.requiresGrad(!enabled);
    if (enabled && this.active) this.setAdapter(this.active);
  }

  deleteAdapter(adapterName: string, newActive: string | null): void {
    this.modulesToSave.delete(adapterName)?.dispose();
    this.active = newActive !== null && this.modulesToSave.has(newActive) ? newActive : null;
    if (this.active) this.setAdapter(this.active);
  }

  /** The module `forward` runs: the active adapter's copy, or the original when disabled / none. */
  inUse(): Module {
    if (this.adaptersDisabled || this.active === null) return this.originalModule;
    return this.modulesToSave.get(this.active);
  }

  get weight(): Parameter | undefined {
    return (this.inUse() as { weight?: Parameter }).weight;
  }

  get bias(): Parameter | null | undefined {
    return (this.inUse() as { bias?: Parameter | null }).bias;
  }

  forward(...args: unknown[]): unknown {
    const module = this.inUse() as Forwardable;
    if (typeof module.forward !== 'function') {
      throw new Error(`${module.constructor.name} in modules_to_save has no forward()`);
    }
    return module.forward(...args);
  }
}
