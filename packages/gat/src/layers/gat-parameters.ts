import { dropout as applyDropout, glorot, Linear, linear, type Parameter } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { GATLayer } from './gat-layer.js';
import type { GATOptions } from './options.js';

/**
 * The parameters `GATConv` (sparse) and `DenseGATConv` (token graphs) share, with PyG's names and
 * shapes so state dicts move between the two and to/from Python: `lin.weight` `[heads·out, in]`
 * (no bias), `att_src` and `att_dst` `[1, heads, out]`, `bias` `[heads·out]` (concat) or `[out]`.
 */
export abstract class GATParameters extends GATLayer {
  readonly lin: Linear;
  readonly attSrc: Parameter;
  readonly attDst: Parameter;
  readonly bias: Parameter | null;

  constructor(layer: string, options: GATOptions) {
    super(layer, options);
    const { inChannels, outChannels, heads, rng } = this;
    const width = heads * outChannels;
    this.lin = this.registerModule('lin', new Linear(inChannels, width, { bias: false, rng }));
    // PyG initialises `lin` with glorot, not nn.Linear's kaiming-uniform.
    tf.tidy(() => this.lin.weight.assign(glorot([width, inChannels], rng)));
    this.attSrc = this.registerParameter('att_src', glorot([1, heads, outChannels], rng));
    this.attDst = this.registerParameter('att_dst', glorot([1, heads, outChannels], rng));
    this.bias = this.learnsBias
      ? this.registerParameter('bias', tf.zeros([this.concat ? width : outChannels]))
      : null;
  }

  /**
   * `lin(x)` split into heads `[…, H, C]`, and each node's attention score as a source
   * (`⟨h, att_src⟩`) and as a target (`⟨h, att_dst⟩`), `[…, H]`. PyG's edge score is
   * `leaky_relu(source score of j + target score of i)`.
   */
  protected project(x: tf.Tensor): {
    h: tf.Tensor;
    sourceScore: tf.Tensor;
    targetScore: tf.Tensor;
  } {
    const h = tf.reshape(linear(x, this.lin.weight), [
      ...x.shape.slice(0, -1),
      this.heads,
      this.outChannels,
    ]);
    const axis = h.rank - 1;
    return {
      h,
      sourceScore: tf.sum(tf.mul(h, this.attSrc), axis),
      targetScore: tf.sum(tf.mul(h, this.attDst), axis),
    };
  }

  /** Dropout on the normalised attention coefficients, in train mode only (PyG's `F.dropout`). */
  protected dropAttention(alpha: tf.Tensor): tf.Tensor {
    return this.training && this.dropout > 0 ? applyDropout(alpha, this.dropout, this.rng) : alpha;
  }
}
