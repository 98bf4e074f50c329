import * as tf from '@tensorflow/tfjs-core';

/** AdamW's hyper-parameters; the defaults are the reference's (`optimizer.py`). */
export interface AdamWOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-6 (the reference's; PyTorch's is 1e-8). */
  eps?: number;
  /** Decoupled weight decay, default 0. */
  weightDecay?: number;
  /** Default true. */
  correctBias?: boolean;
}

/** tfjs-core's `NamedTensor` (not exported from its main entry). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface VariableState {
  step: number;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

const SUFFIXES = ['exp_avg', 'exp_avg_sq', 'step'] as const;
type Suffix = (typeof SUFFIXES)[number];

/**
 * AdamW exactly as the Learnable-GPT reference implements it (`optimizer.py`), as a `tf.Optimizer`
 * so `minimize`, `computeGradients` and `applyGradients` work as with tfjs's own optimizers:
 *
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)        (without `correctBias`: p ← p − lr·m/(√v+ε))
 *   p ← p − lr·weightDecay·p                            (decoupled decay on the already-updated p)
 *
 * Its defaults are the reference's (note ε = 1e-6, not PyTorch's 1e-8). Like PyTorch, state (t, m,
 * v) exists only for variables that have received a gradient, and each variable counts its own t.
 */
export class AdamW extends tf.Optimizer {
  static get className(): string {
    return 'AdamW';
  }

  /** The learning rate of the next step (schedules change it between steps). */
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly correctBias: boolean;
  private readonly state = new Map<string, VariableState>();

  constructor(options: AdamWOptions = {}) {
    super();
    const {
      lr = 1e-3,
      betas = [0.9, 0.999],
      eps = 1e-6,
      weightDecay = 0,
      correctBias = true,
    } = options;
    if (!(lr >= 0)) throw new Error(`AdamW: invalid learning rate ${lr} (must be ≥ 0)`);
    betas.forEach((beta, i) => {
      if (!(beta >= 0 && beta < 1)) {
        throw new Error(`AdamW: invalid betas[${i}] ${beta} (must be in [0, 1))`);
      }
    });
    if (!(eps >= 0)) throw new Error(`AdamW: invalid eps ${eps} (must be ≥ 0)`);
    this.lr = lr;
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.correctBias = correctBias;
  }

  /** Applies one step to every variable with a (non-null) gradient, by variable name. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor | null | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    const [beta1, beta2] = this.betas;
    for (const [name, gradient] of entries) {
      if (gradient == null) continue;
      const param = tf.engine().registeredVariables[name];
      if (param === undefined) throw new Error(`AdamW: no variable named '${name}'`);
      if (!tf.util.arraysEqual(param.shape, gradient.shape)) {
        throw new Error(
          `AdamW: gradient for '${name}' has shape [${gradient.shape}], variable has [${param.shape}]`,
        );
      }
      const state = this.stateFor(name, param);
      state.step += 1;
      tf.tidy(() => {
        const expAvg = tf.add(tf.mul(state.expAvg, beta1), tf.mul(gradient, 1 - beta1));
        const expAvgSq = tf.add(
          tf.mul(state.expAvgSq, beta2),
          tf.mul(tf.mul(gradient, gradient), 1 - beta2),
        );
        let denominator = tf.sqrt(expAvgSq);
        let stepSize = this.lr;
        if (this.correctBias) {
          denominator = tf.div(denominator, Math.sqrt(1 - beta2 ** state.step));
          stepSize = this.lr / (1 - beta1 ** state.step);
        }
        denominator = tf.add(denominator, this.eps);
        let updated = tf.sub(param, tf.mul(tf.div(expAvg, denominator), stepSize));
        if (this.weightDecay !== 0) {
          updated = tf.sub(updated, tf.mul(updated, this.weightDecay * this.lr));
        }
        state.expAvg.assign(expAvg);
        state.expAvgSq.assign(expAvgSq);
        param.assign(updated);
      });
    }
    this.incrementIterations();
  }

  /** Names of the variables that have optimizer state. */
  stateNames(): string[] {
    return [...this.state.keys()];
  }

  /**
   * `iter`, then per variable `<variable name>/exp_avg`, `/exp_avg_sq`, `/step`: new tensors the
   * caller owns (dispose them). tfjs variable names change between runs; to resume from a file use
   * `stateDict`, keyed by parameter names.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights = [await this.saveIterations()];
    for (const name of this.state.keys()) {
      for (const [key, tensor] of this.exportVariable(name, name))
        weights.push({ name: key, tensor });
    }
    return weights;
  }

  /** Restores what `getWeights` returned; the caller keeps (and may dispose) its tensors. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    await this.restore(
      rest.map(({ name, tensor }) => [name, tensor]),
      (name) => tf.engine().registeredVariables[name],
    );
  }

  /**
   * The state keyed by parameter names (pass `module.namedParameters()`), like PyTorch's
   * `optimizer.state_dict()`: `iter`, then `<param>/exp_avg`, `/exp_avg_sq`, `/step` for every
   * parameter with state. New tensors the caller owns, ready for `writeSafetensors`.
   */
  stateDict(params: Iterable<readonly [string, tf.Variable]>): Record<string, tf.Tensor> {
    const paramName = new Map([...params].map(([name, v]) => [v.name, name]));
    const dict: Record<string, tf.Tensor> = {};
    for (const variable of this.state.keys()) {
      const name = paramName.get(variable);
      if (name === undefined) {
        throw new Error(`AdamW.stateDict: variable '${variable}' has state but is not in params`);
      }
      for (const [key, tensor] of this.exportVariable(variable, name)) dict[key] = tensor;
    }
    dict.iter = tf.scalar(this.iterations, 'int32');
    return dict;
  }

  /** Restores a `stateDict` onto `params` (the same names); the caller keeps its tensors. */
  async loadStateDict(
    dict: Record<string, tf.Tensor>,
    params: Iterable<readonly [string, tf.Variable]>,
  ): Promise<void> {
    const byName = new Map(params);
    const { iter, ...rest } = dict;
    if (iter === undefined) throw new Error("AdamW.loadStateDict: no 'iter' entry");
    await this.restore(Object.entries(rest), (name) => byName.get(name), true);
    this.iterations_ = (await iter.data())[0];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      lr: this.lr,
      betas: [...this.betas],
      eps: this.eps,
      weightDecay: this.weightDecay,
      correctBias: this.correctBias,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }

  override dispose(): void {
    this.disposeState();
    super.dispose();
  }

  private exportVariable(variable: string, name: string): [string, tf.Tensor][] {
    const s = this.state.get(variable)!;
    return [
      [`${name}/exp_avg`, tf.clone(s.expAvg)],
      [`${name}/exp_avg_sq`, tf.clone(s.expAvgSq)],
      [`${name}/step`, tf.scalar(s.step, 'int32')],
    ];
  }

  /**
   * Replaces the state with `<name>/exp_avg|exp_avg_sq|step` entries; `lookup` maps a name to its
   * variable (state is keyed by the variable's own name). With `strict`, every name must resolve.
   */
  private async restore(
    entries: [string, tf.Tensor][],
    lookup: (name: string) => tf.Variable | undefined,
    strict = false,
  ): Promise<void> {
    const grouped = new Map<string, Partial<Record<Suffix, tf.Tensor>>>();
    for (const [key, tensor] of entries) {
      const cut = key.lastIndexOf('/');
      const suffix = key.slice(cut + 1) as Suffix;
      if (cut < 0 || !SUFFIXES.includes(suffix)) {
        throw new Error(
          `AdamW: unexpected state entry '${key}' (expected <name>/exp_avg, /exp_avg_sq or /step)`,
        );
      }
      const name = key.slice(0, cut);
      grouped.set(name, { ...grouped.get(name), [suffix]: tensor });
    }
    const restored = new Map<string, VariableState>();
    for (const [name, parts] of grouped) {
      const missing = SUFFIXES.filter((suffix) => parts[suffix] === undefined);
      if (missing.length > 0) {
        throw new Error(
          `AdamW: state of '${name}' lacks ${missing.map((m) => `/${m}`).join(', ')}`,
        );
      }
      const variable = lookup(name);
      if (strict && variable === undefined) {
        throw new Error(`AdamW: state for '${name}', which is not among the parameters`);
      }
      for (const suffix of ['exp_avg', 'exp_avg_sq'] as const) {
        const shape = parts[suffix]!.shape;
        if (variable && !tf.util.arraysEqual(shape, variable.shape)) {
          throw new Error(
            `AdamW: state '${name}/${suffix}' has shape [${shape}], the variable has [${variable.shape}]`,
          );
        }
      }
      restored.set(variable?.name ?? name, {
        step: (await parts.step!.data())[0],
        // A variable shares (and reference-counts) the data of the tensor it is made from.
        expAvg: tf.variable(parts.exp_avg!, false),
        expAvgSq: tf.variable(parts.exp_avg_sq!, false),
      });
    }
    this.disposeState();
    for (const [name, s] of restored) this.state.set(name, s);
  }

  private stateFor(name: string, param: tf.Variable): VariableState {
    let s = this.state.get(name);
    if (s === undefined) {
      s = {
        step: 0,
        expAvg: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        expAvgSq: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
      };
      this.state.set(name, s);
    }
    return s;
  }

  private disposeState(): void {
    for (const s of this.state.values()) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
    }
    this.state.clear();
  }
}

tf.serialization.registerClass(AdamW);
