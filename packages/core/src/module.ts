import * as tf from '@tensorflow/tfjs-core';
import { sameShape } from './shape.js';

/** A parameter is a tfjs variable; `trainable` is its `requires_grad`. */
export type Parameter = tf.Variable;

export interface NamedParameterOptions {
  /** Only parameters that will receive gradients (`trainable === true`). */
  trainableOnly?: boolean;
}

export interface LoadStateDictOptions {
  /** Fail on missing or unexpected keys (shape mismatches always fail). Default true. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Thrown by `loadStateDict`; lists every problem at once, like PyTorch's `load_state_dict`. */
export class StateDictError extends Error {
  constructor(
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
    readonly shapeMismatches: { key: string; expected: number[]; got: number[] }[],
    context = 'state dict',
  ) {
    const lines: string[] = [];
    if (missingKeys.length) lines.push(`missing keys: ${missingKeys.join(', ')}`);
    if (unexpectedKeys.length) lines.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    for (const m of shapeMismatches) {
      lines.push(`size mismatch for ${m.key}: expected [${m.expected}], got [${m.got}]`);
    }
    super(`Error(s) loading ${context}:\n  ${lines.join('\n  ')}`);
    this.name = 'StateDictError';
  }
}

/**
 * The base of every lgpt layer, shaped like PyTorch's `nn.Module`: children, parameters and
 * buffers are registered by name, so `namedParameters()` yields stable dotted names
 * (`h.0.attn.c_attn.weight`) that match the reference checkpoints.
 *
 * Subclasses keep typed fields for their children (`this.cAttn = this.registerModule('c_attn',
 * …)`); `setSubmodule` swaps both the registry entry and any field that held the old child, which
 * is how adapters (LoRA) replace layers in place.
 */
export class Module {
  training = true;
  private readonly params = new Map<string, Parameter>();
  private readonly buffers = new Map<string, { tensor: tf.Tensor; persistent: boolean }>();
  private readonly modules = new Map<string, Module>();

  /**
   * Registers `value` as a parameter. The module takes ownership: `value` is disposed once the
   * variable holds it (pass a variable to share one between modules, e.g. tied embeddings).
   */
  protected registerParameter(
    name: string,
    value: tf.Tensor | Parameter,
    trainable = true,
  ): Parameter {
    assertName(name);
    let param: Parameter;
    if (value instanceof tf.Variable) {
      param = value;
    } else {
      param = tf.variable(value, trainable);
      value.dispose();
    }
    this.params.set(name, param);
    return param;
  }

  /** Registers a non-trainable tensor kept with the module (in `stateDict()` when persistent). */
  protected registerBuffer(name: string, tensor: tf.Tensor, persistent = true): tf.Tensor {
    assertName(name);
    const previous = this.buffers.get(name);
    if (previous && previous.tensor !== tensor) previous.tensor.dispose();
    this.buffers.set(name, { tensor: tf.keep(tensor), persistent });
    return tensor;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    assertName(name);
    this.modules.set(name, module);
    return module;
  }

  /** Removes a child (not disposed) and returns it. */
  protected removeModule(name: string): Module | undefined {
    const child = this.modules.get(name);
    this.modules.delete(name);
    return child;
  }

  /** Replaces a registered buffer's tensor (disposing the old one). */
  protected setBuffer(name: string, tensor: tf.Tensor): tf.Tensor {
    const entry = this.buffers.get(name);
    if (!entry) throw new Error(`${this.constructor.name} has no buffer '${name}'`);
    return this.registerBuffer(name, tensor, entry.persistent);
  }

  protected getBuffer(name: string): tf.Tensor {
    const entry = this.buffers.get(name);
    if (!entry) throw new Error(`${this.constructor.name} has no buffer '${name}'`);
    return entry.tensor;
  }

  *namedChildren(): Generator<[string, Module]> {
    yield* this.modules.entries();
  }

  children(): Module[] {
    return [...this.modules.values()];
  }

  /** Every module in the tree with its dotted path; the root has the name `prefix` (default ''). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.modules) {
      yield* child.namedModules(join(prefix, name));
    }
  }

  /** Parameters with dotted names; a variable shared by two modules is listed once (first name). */
  namedParameters(options: NamedParameterOptions = {}): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, param] of module.params) {
        if (seen.has(param)) continue;
        seen.add(param);
        if (options.trainableOnly && !param.trainable) continue;
        out.push([join(path, name), param]);
      }
    }
    return out;
  }

  parameters(options: NamedParameterOptions = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  namedBuffers(): [string, tf.Tensor][] {
    const out: [string, tf.Tensor][] = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, { tensor }] of module.buffers) out.push([join(path, name), tensor]);
    }
    return out;
  }

  /** Number of scalars in the (optionally trainable-only) parameters. */
  numParameters(options: NamedParameterOptions = {}): number {
    return this.parameters(options).reduce((n, p) => n + p.size, 0);
  }

  getSubmodule(path: string): Module {
    if (path === '') return this;
    let module: Module = this;
    for (const part of path.split('.')) {
      const child = module.modules.get(part);
      if (!child)
        throw new Error(`${module.constructor.name} has no submodule '${part}' (in '${path}')`);
      module = child;
    }
    return module;
  }

  /**
   * Replaces the module at `path` and returns the old one (not disposed: an adapter usually wraps
   * it). Any field of the parent that referenced the old child now references the new one.
   */
  setSubmodule(path: string, module: Module): Module {
    const dot = path.lastIndexOf('.');
    const parent = dot < 0 ? this : this.getSubmodule(path.slice(0, dot));
    const name = path.slice(dot + 1);
    const old = parent.modules.get(name);
    if (!old)
      throw new Error(`${parent.constructor.name} has no submodule '${name}' (in '${path}')`);
    parent.modules.set(name, module);
    const fields = parent as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (fields[key] === old) fields[key] = module;
    }
    parent.onChildReplaced(name, old, module);
    return old;
  }

  /** Hook for containers that index their children (ModuleList); called by `setSubmodule`. */
  protected onChildReplaced(_name: string, _old: Module, _replacement: Module): void {}

  getParameter(path: string): Parameter {
    const dot = path.lastIndexOf('.');
    const owner = dot < 0 ? this : this.getSubmodule(path.slice(0, dot));
    const param = owner.params.get(path.slice(dot + 1));
    if (!param) throw new Error(`no parameter '${path}' in ${this.constructor.name}`);
    return param;
  }

  /** Sets `requires_grad` on every parameter of this module and its children. */
  requiresGrad(flag = true): this {
    for (const p of this.parameters()) p.trainable = flag;
    return this;
  }

  /** Train mode (dropout active) for this module and its children. */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and persistent buffers by dotted name. The tensors are the module's own (not
   * copies): read them, do not dispose them. Shared variables appear under each name, as in
   * PyTorch.
   */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [path, module] of this.namedModules()) {
      for (const [name, param] of module.params) out[join(path, name)] = param;
      for (const [name, { tensor, persistent }] of module.buffers) {
        if (persistent) out[join(path, name)] = tensor;
      }
    }
    return out;
  }

  /**
   * Copies tensors into the module by name. All missing/unexpected keys and shape mismatches are
   * collected and reported together; nothing is written unless the whole dict fits.
   */
  loadStateDict(
    dict: Record<string, tf.Tensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const strict = options.strict ?? true;
    const targets = this.stateDictTargets();
    const missingKeys = [...targets.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !targets.has(k));
    const shapeMismatches = Object.keys(dict)
      .filter((k) => targets.has(k) && !sameShape(targets.get(k)!.tensor.shape, dict[k].shape))
      .map((k) => ({ key: k, expected: targets.get(k)!.tensor.shape, got: dict[k].shape }));
    if (shapeMismatches.length || (strict && (missingKeys.length || unexpectedKeys.length))) {
      throw new StateDictError(
        strict ? missingKeys : [],
        strict ? unexpectedKeys : [],
        shapeMismatches,
        `state_dict for ${this.constructor.name}`,
      );
    }
    for (const [key, value] of Object.entries(dict)) {
      const target = targets.get(key);
      // Assigning a tensor its own data would free it (tfjs decrements before it increments).
      if (target && target.tensor.dataId !== value.dataId) target.assign(value);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Where each state-dict key is written: a variable's `assign`, or a buffer's replacement. */
  private stateDictTargets(): Map<string, { tensor: tf.Tensor; assign(v: tf.Tensor): void }> {
    const targets = new Map<string, { tensor: tf.Tensor; assign(v: tf.Tensor): void }>();
    for (const [path, module] of this.namedModules()) {
      for (const [name, param] of module.params) {
        targets.set(join(path, name), {
          tensor: param,
          assign: (v) =>
            tf.tidy(() => param.assign(v.dtype === param.dtype ? v : tf.cast(v, param.dtype))),
        });
      }
      for (const [name, { tensor, persistent }] of module.buffers) {
        if (!persistent) continue;
        targets.set(join(path, name), {
          tensor,
          assign: (v) =>
            module.setBuffer(
              name,
              tf.tidy(() => tf.cast(v, tensor.dtype).clone()),
            ),
        });
      }
    }
    return targets;
  }

  /**
   * A deep copy with its own variables and buffers, like PyTorch's `copy.deepcopy(module)`.
   * Registered children are cloned; any other field that referenced a registered parameter,
   * buffer or child (typed fields such as `this.weight`, a list's items) references its copy; a
   * variable shared inside the tree stays shared in the copy. Other fields are copied as they are.
   */
  clone(): this {
    return this.cloneWith(new Map()) as this;
  }

  private cloneWith(copies: Map<unknown, unknown>): Module {
    const copy = Object.create(Object.getPrototypeOf(this)) as Module;
    copies.set(this, copy);
    const copyOf = <T>(value: T, make: () => T): T => {
      if (!copies.has(value)) copies.set(value, make());
      return copies.get(value) as T;
    };
    const fields = copy as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(this)) fields[key] = value;
    fields.params = new Map(
      [...this.params].map(([name, p]) => [name, copyOf(p, () => tf.variable(p, p.trainable))]),
    );
    fields.buffers = new Map(
      [...this.buffers].map(([name, entry]) => [
        name,
        { ...entry, tensor: copyOf(entry.tensor, () => tf.keep(tf.clone(entry.tensor))) },
      ]),
    );
    fields.modules = new Map(
      [...this.modules].map(([name, child]) => [
        name,
        copyOf(child, () => child.cloneWith(copies)) as Module,
      ]),
    );
    const remap = (value: unknown): unknown =>
      copies.has(value) ? copies.get(value) : Array.isArray(value) ? value.map(remap) : value;
    for (const [key, value] of Object.entries(this)) {
      if (!(value instanceof Map)) fields[key] = remap(value);
    }
    return copy;
  }

  /** Frees every parameter and buffer of the tree (a shared variable only once). */
  dispose(): void {
    const seen = new Set<tf.Tensor>();
    for (const [, module] of this.namedModules()) {
      for (const p of module.params.values()) seen.add(p);
      for (const { tensor } of module.buffers.values()) seen.add(tensor);
      module.params.clear();
      module.buffers.clear();
    }
    for (const t of seen) if (!t.isDisposed) t.dispose();
  }
}

/** An indexable list of child modules named `0`, `1`, … (PyTorch's `nn.ModuleList`). */
export class ModuleList<M extends Module = Module> extends Module {
  private items: M[] = [];

  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(module: M): void {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
  }

  at(index: number): M {
    const item = this.items[index];
    if (!item)
      throw new RangeError(`ModuleList index ${index} out of range (length ${this.length})`);
    return item;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  protected override onChildReplaced(name: string, _old: Module, replacement: Module): void {
    this.items[Number(name)] = replacement as M;
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function assertName(name: string): void {
  if (!name || name.includes('.')) {
    throw new Error(
      `invalid module/parameter name '${name}': must be non-empty and contain no '.'`,
    );
  }
}

/** Child modules keyed by name (PyTorch's `nn.ModuleDict`), e.g. one LoRA matrix per adapter. */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  set(name: string, module: M): void {
    this.registerModule(name, module);
  }

  get(name: string): M {
    const item = this.getChild(name);
    if (!item) throw new Error(`ModuleDict has no key '${name}' (keys: ${this.keys().join(', ')})`);
    return item;
  }

  has(name: string): boolean {
    return this.getChild(name) !== undefined;
  }

  /** Removes and returns the module (not disposed). */
  delete(name: string): M | undefined {
    return this.removeModule(name) as M | undefined;
  }

  keys(): string[] {
    return [...this.namedChildren()].map(([name]) => name);
  }

  private getChild(name: string): M | undefined {
    for (const [key, child] of this.namedChildren()) if (key === name) return child as M;
    return undefined;
  }
}
