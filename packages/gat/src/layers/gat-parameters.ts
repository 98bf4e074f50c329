import {
  dropout as applyDropout,
  Linear,
  linear,
  Module,
  type Parameter,
  type Rng,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { glorot } from '../ops/glorot.js';
import { type GATOptions, resolveGATOptions } from './options.js';

/**
 * The parameters `GATConv` (sparse) and `DenseGATConv` (token graphs) share, with PyG's names and
 * shapes so state dicts move between the two and to/from Python: `lin.weight` `[heads·out, in]`
 * (no bias), `att_src` and `att_dst` `[1, heads, out]`, `bias` `[heads·out]` (concat) or `[out]`.
 */
export abstract class GATParameters extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  readonly lin: Linear;
  readonly attSrc: Parameter;
  readonly attDst: Parameter;
  readonly bias: Parameter | null;
  protected readonly rng: Rng;

  constructor(layer: string, options: GATOptions) {
    super();
    const o = resolveGATOptions(layer, options);
    this.inChannels = o.inChannels;
    this.outChannels = o.outChannels;
    this.heads = o.heads;
    this.concat = o.concat;
    this.negativeSlope = o.negativeSlope;
    this.dropout = o.dropout;
    this.addSelfLoops = o.addSelfLoops;
    this.rng = o.rng;
    const width = o.heads * o.outChannels;
    this.lin = this.registerModule(
      'lin',
      new Linear(o.inChannels, width, { bias: false, rng: o.rng }),
    );
    // PyG initialises `lin` with glorot, not nn.Linear's kaiming-uniform.
    tf.tidy(() => this.lin.weight.assign(glorot([width, o.inChannels], o.rng)));
    this.attSrc = this.registerParameter('att_src', glorot([1, o.heads, o.outChannels], o.rng));
    this.attDst = this.registerParameter('att_dst', glorot([1, o.heads, o.outChannels], o.rng));
    this.bias = o.bias
      ? this.registerParameter('bias', tf.zeros([o.concat ? width : o.outChannels]))
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
