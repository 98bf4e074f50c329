import { readFileSync } from 'node:fs';
import { readSafetensors } from '@lgpt/core';
import { fixturePath } from '@lgpt/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import { EdgeIndex } from '../src/index.js';

/** One case of `golden.json`: PyG's constructor arguments and which tensors it ran on. */
export interface GoldenCase {
  module: 'GATConv' | 'GATv2Conv';
  in_channels: number;
  out_channels: number;
  heads: number;
  concat: boolean;
  negative_slope: number;
  dropout: number;
  add_self_loops: boolean;
  bias: boolean;
  share_weights?: boolean;
  x: string;
  edge_index: string;
  /** `"main.*"`: the case reuses another case's parameters. */
  params?: string;
}

const golden = JSON.parse(readFileSync(fixturePath('gat', 'golden.json'), 'utf8'));
export const cases = golden.cases as Record<string, GoldenCase>;

const file = fixturePath('gat', 'golden.safetensors');

/** Every golden tensor, on the current backend. */
export function readGolden(): Promise<Record<string, tf.Tensor>> {
  return readSafetensors(file);
}

export function layerOptions(c: GoldenCase) {
  return {
    inChannels: c.in_channels,
    outChannels: c.out_channels,
    heads: c.heads,
    concat: c.concat,
    negativeSlope: c.negative_slope,
    dropout: c.dropout,
    addSelfLoops: c.add_self_loops,
    bias: c.bias,
    shareWeights: c.share_weights,
  };
}

/** The case's parameters as a state dict with the case prefix removed (`main.lin.weight` → `lin.weight`). */
export function caseStateDict(
  name: string,
  expectedKeys: string[],
  tensors: Record<string, tf.Tensor>,
): Record<string, tf.Tensor> {
  const prefix = cases[name].params?.replace(/\*$/, '') ?? `${name}.`;
  return Object.fromEntries(expectedKeys.map((key) => [key, tensors[prefix + key]]));
}

export function caseInputs(name: string, tensors: Record<string, tf.Tensor>) {
  const c = cases[name];
  return { x: tensors[c.x], edgeIndex: EdgeIndex.fromTensor(tensors[c.edge_index]) };
}
