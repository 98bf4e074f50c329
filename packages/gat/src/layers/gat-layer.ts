import { Module, type Rng } from '@lgpt/core';
import { type GATOptions, resolveGATOptions } from './options.js';

/**
 * What every GAT layer (`GATConv`, `DenseGATConv`, `GATv2Conv`) keeps of its validated options,
 * under PyG's attribute names (camel-cased). Each layer registers its own parameters.
 */
export abstract class GATLayer extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addSelfLoops: boolean;
  /** Whether the layer learns an additive `bias`. */
  protected readonly learnsBias: boolean;
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
    this.learnsBias = o.bias;
    this.rng = o.rng;
  }
}
