import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors } from '@lgpt/core';
import { fixturePath } from '@lgpt/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import { type Activation, KANLinear, type KANLinearOptions } from '../src/index.js';

/** The efficient-kan goldens (see fixtures/kan/golden.json and the shared fixtures README). */
export interface GoldenConfig {
  config: {
    in_f: number;
    out_f: number;
    grid_size: number;
    spline_order: number;
    grid_range: [number, number];
    batch: number;
  };
  /** e.g. "scale_noise=0.1, ..., base_activation=SiLU, grid_eps=0.02 (defaults); update_grid margin=0.01" */
  other_options: string;
  kan_layers: number[];
  regularization_loss_1_1: number;
  regularization_loss_activation_only: number;
  regularization_loss_entropy_only: number;
  kan_regularization_loss_1_1: number;
}

export interface Golden {
  json: GoldenConfig;
  t: Record<string, tf.Tensor>;
  /** KANLinear options the reference ran with (also the KAN's, but for the widths). */
  options: Omit<KANLinearOptions, 'inFeatures' | 'outFeatures'>;
  /** `update_grid`'s margin. */
  margin: number;
}

const dir = fixturePath('kan');

const ACTIVATIONS: Record<string, Activation> = {
  SiLU: 'silu',
  GELU: 'gelu',
  ReLU: 'relu',
  Tanh: 'tanh',
  Identity: 'identity',
};

export async function loadGolden(): Promise<Golden> {
  const json = JSON.parse(await readFile(join(dir, 'golden.json'), 'utf8')) as GoldenConfig;
  const t = await readSafetensors(join(dir, 'golden.safetensors'));
  // "key=value" pairs; a key the string leaves out has efficient-kan's default.
  const named: Record<string, string> = {
    scale_noise: '0.1',
    scale_base: '1.0',
    scale_spline: '1.0',
    enable_standalone_scale_spline: 'True',
    base_activation: 'SiLU',
    grid_eps: '0.02',
    margin: '0.01',
    ...Object.fromEntries(
      [...(json.other_options ?? '').matchAll(/(\w+)=([\w.+-]+)/g)].map(([, k, v]) => [k, v]),
    ),
  };
  const number = (key: string) => {
    const value = Number(named[key]);
    if (!Number.isFinite(value))
      throw new Error(`golden.json other_options: bad ${key}=${named[key]}`);
    return value;
  };
  const activation = ACTIVATIONS[named.base_activation];
  if (!activation) throw new Error(`unknown base_activation '${named.base_activation}'`);
  const c = json.config;
  return {
    json,
    t,
    options: {
      gridSize: c.grid_size,
      splineOrder: c.spline_order,
      gridRange: c.grid_range,
      scaleNoise: number('scale_noise'),
      scaleBase: number('scale_base'),
      scaleSpline: number('scale_spline'),
      enableStandaloneScaleSpline: named.enable_standalone_scale_spline === 'True',
      baseActivation: activation,
      gridEps: number('grid_eps'),
    },
    margin: number('margin'),
  };
}

/** Tensors under `prefix.` with the prefix removed (a state dict for a module). */
export function withPrefix(
  t: Record<string, tf.Tensor>,
  prefix: string,
): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(t)
      .filter(([k]) => k.startsWith(`${prefix}.`))
      .map(([k, v]) => [k.slice(prefix.length + 1), v]),
  );
}

/** A KANLinear with the golden's options and its `init.*` state loaded. */
export function goldenLayer(golden: Golden, fused = true): KANLinear {
  const c = golden.json.config;
  const layer = new KANLinear({
    ...golden.options,
    inFeatures: c.in_f,
    outFeatures: c.out_f,
    fused,
  });
  layer.loadStateDict(withPrefix(golden.t, 'init'));
  return layer;
}

export function disposeAll(t: Record<string, tf.Tensor>): void {
  for (const v of Object.values(t)) v.dispose();
}
