// Type-checked (not run) as .mts and .cts under `moduleResolution: node16` and as .ts under
// `bundler`. The @ts-expect-error lines fail the check if a package's types resolve to `any`,
// including @lgpt/lora's own import of @lgpt/core (PeftModel extends core's Module).
import { Linear, Module } from '@lgpt/core';
import { getPeftModel, type LoraConfigInit, type PeftModel } from '@lgpt/lora';
import type * as tf from '@tensorflow/tfjs-core';

class Mlp extends Module {
  fc = this.registerModule('fc', new Linear(8, 16));
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.forward(x);
  }
}

const config: LoraConfigInit = { r: 4, loraAlpha: 8, targetModules: ['fc'] };
const peft: PeftModel = getPeftModel(new Mlp(), config);
const [trainable, total]: [number, number] = peft.getNbTrainableParameters();
export const share: number = trainable / total;

// @ts-expect-error the rank is a number
export const badConfig: LoraConfigInit = { r: 'four' };
// @ts-expect-error Linear takes feature counts
export const badLinear = new Linear('8', 16);
// @ts-expect-error a PeftModel has no such method (unless its Module base resolved to `any`)
peft.noSuchMethod();
