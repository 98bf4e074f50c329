import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient accumulation over micro-batches: sums gradients as they come (holding one running sum
 * per variable, never the micro-batch gradients), then hands back the sum or the mean — the same
 * update as one large batch whose loss is the mean of the micro-batch losses.
 */
export class GradientAccumulator {
  private readonly sums = new Map<string, tf.Tensor>();
  private micro = 0;

  /** Micro-batches added since the last `reset()`. */
  get count(): number {
    return this.micro;
  }

  /** Adds one micro-batch's gradients (null ones skipped); the caller still owns `grads`. */
  add(grads: tf.NamedTensorMap | Record<string, tf.Tensor | null>): void {
    for (const [name, g] of Object.entries(grads)) {
      if (g == null) continue;
      const previous = this.sums.get(name);
      // keep(): the sums must outlive any tidy() the caller runs this in.
      this.sums.set(name, tf.keep(previous ? tf.add(previous, g) : tf.clone(g)));
      previous?.dispose();
    }
    this.micro += 1;
  }

  /**
   * Computes the gradients of `loss` (like `optimizer.computeGradients`), adds them, and returns
   * the loss value (the caller disposes it).
   */
  accumulate(loss: () => tf.Scalar, varList?: tf.Variable[]): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, varList);
    this.add(grads);
    tf.dispose(grads);
    return value;
  }

  /**
   * The accumulated gradients as new tensors the caller owns: the mean over micro-batches
   * (default), or the sum. A variable missing from some micro-batches still divides by `count`.
   */
  result({ average = true }: { average?: boolean } = {}): tf.NamedTensorMap {
    if (this.micro === 0) throw new Error('GradientAccumulator: no gradients added');
    const out: tf.NamedTensorMap = {};
    for (const [name, sum] of this.sums) {
      out[name] = tf.keep(average ? tf.div(sum, this.micro) : tf.clone(sum));
    }
    return out;
  }

  /** Drops the sums (after the optimizer step). */
  reset(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums.clear();
    this.micro = 0;
  }
}
