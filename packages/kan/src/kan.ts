import { Module, ModuleList } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { KANLinear, type KANLinearOptions } from './kan-linear.js';

export interface KANOptions extends Omit<KANLinearOptions, 'inFeatures' | 'outFeatures'> {
  /** Widths from input to output: `[6, 5, 3]` is two KANLinear layers, 6→5 and 5→3. */
  layersHidden: number[];
}

export interface KANForwardOptions {
  /** Refit each layer's grid to the activations reaching it before applying it. */
  updateGrid?: boolean;
}

/** efficient-kan's `KAN`: a stack of `KANLinear` layers (state-dict keys `layers.{i}.…`). */
export class KAN extends Module {
  readonly layers: ModuleList<KANLinear>;

  constructor(options: KANOptions) {
    super();
    const { layersHidden, ...layerOptions } = options;
    if (!Array.isArray(layersHidden) || layersHidden.length < 2) {
      throw new Error(
        `KAN: layersHidden needs at least an input and an output width, got [${layersHidden}]`,
      );
    }
    const layers = layersHidden
      .slice(1)
      .map(
        (outFeatures, i) =>
          new KANLinear({ ...layerOptions, inFeatures: layersHidden[i], outFeatures }),
      );
    this.layers = this.registerModule('layers', new ModuleList(layers));
  }

  /**
   * `[..., layersHidden[0]]` → `[..., layersHidden.at(-1)]`. With `{ updateGrid: true }` each
   * layer first refits its grid to its input (as efficient-kan's `forward(x, update_grid=True)`),
   * which reads tensors, so that form returns a Promise.
   */
  forward(x: tf.Tensor): tf.Tensor;
  forward(x: tf.Tensor, options: { updateGrid: true }): Promise<tf.Tensor>;
  forward(x: tf.Tensor, options?: KANForwardOptions): tf.Tensor | Promise<tf.Tensor>;
  forward(x: tf.Tensor, options: KANForwardOptions = {}): tf.Tensor | Promise<tf.Tensor> {
    if (options.updateGrid) return this.forwardUpdatingGrids(x);
    return tf.tidy(() => {
      let h = x;
      for (const layer of this.layers) h = layer.forward(h);
      return h;
    });
  }

  /** Σ of every layer's `regularizationLoss`. */
  regularizationLoss(regularizeActivation = 1, regularizeEntropy = 1): tf.Scalar {
    return tf.tidy(() =>
      tf.addN(
        [...this.layers].map((layer) =>
          layer.regularizationLoss(regularizeActivation, regularizeEntropy),
        ),
      ),
    );
  }

  private async forwardUpdatingGrids(x: tf.Tensor): Promise<tf.Tensor> {
    let h = x;
    try {
      for (const layer of this.layers) {
        await layer.updateGrid(h);
        const next = layer.forward(h);
        if (h !== x) h.dispose();
        h = next;
      }
    } catch (error) {
      if (h !== x) h.dispose();
      throw error;
    }
    return h;
  }
}
