import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors, Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { applyLora, LayersLoraModel } from '../src/layers/index.js';
import { tempDir } from './support/files.js';
import { add, matmul, matrix, scale, transpose } from './support/reference.js';

/** A small regression model; its initial weights come from `rng`, so two calls give the same model. */
function mlp(rng: Rng): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [4], name: 'hidden' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  model.setWeights(model.getWeights().map((w) => rng.normalTensor(w.shape, 0, 0.5)));
  return model;
}

/** Data the base model does not fit: targets from another random network. */
function data(rng: Rng): { xs: tf.Tensor; ys: tf.Tensor } {
  const xs = rng.normalTensor([32, 4]);
  const w = rng.normalTensor([4, 2]);
  const ys = tf.tanh(tf.matMul(xs, w));
  w.dispose();
  return { xs, ys };
}

describeBackends('@lgpt/lora/layers', () => {
  it('initialises and trains adapters on a model read back with loadLayersModel', async () => {
    // tfjs-layers builds loaded models with "fast weight init" (zeros, initializer skipped).
    let artifacts: tf.io.ModelArtifacts | undefined;
    await mlp(new Rng(1)).save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const lora = applyLora(
      model,
      { r: 2, loraAlpha: 4, targetModules: ['hidden'] },
      { rng: new Rng(3) },
    );
    const loraA = lora.trainableWeights.find((w) => w.originalName === 'hidden/lora_A')!;
    expect(Math.max(...Array.from(await loraA.read().data(), Math.abs))).toBeGreaterThan(0);
    const { xs, ys } = data(new Rng(2));
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const history = await model.fit(xs, ys, {
      epochs: 10,
      batchSize: 32,
      shuffle: false,
      verbose: 0,
    });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    tf.dispose([xs, ys]);
    lora.unload();
    model.dispose();
  });

  it('trains only the adapters of a Dense model with model.fit (loss falls, base weights unchanged)', async () => {
    const model = mlp(new Rng(1));
    const { xs, ys } = data(new Rng(2));
    const before = model.getWeights().map((w) => w.clone());
    const predicted = model.predict(xs) as tf.Tensor;
    const lora = applyLora(
      model,
      { r: 2, loraAlpha: 4, targetModules: ['hidden', 'out'] },
      { rng: new Rng(3) },
    );
    // Same values up to float rounding: the LoRA path computes x·K + b with @lgpt/core's linear (fast
    // gradients on wasm), where Dense uses a fused matMul kernel.
    await expectClose(model.predict(xs) as tf.Tensor, predicted, {
      atol: 1e-6,
      label: 'untrained adapters',
    });
    expect(lora.trainableWeights.map((w) => w.originalName).sort()).toEqual(
      ['hidden/lora_A', 'hidden/lora_B', 'out/lora_A', 'out/lora_B'].sort(),
    );
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const history = await model.fit(xs, ys, {
      epochs: 15,
      batchSize: 32,
      shuffle: false,
      verbose: 0,
    });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]);
    const frozen = [...new Set(model.weights)].filter((w) => !w.originalName.includes('lora_'));
    for (const [i, w] of frozen.entries())
      await expectClose(w.read(), before[i], { atol: 0, label: w.originalName });
    const out = await expectNoLeaks(() => model.predict(xs) as tf.Tensor, 'predict');
    tf.dispose([xs, ys, predicted, out, ...before]);
    lora.unload();
    model.dispose();
  });

  it('merges into the kernels exactly, saves PEFT-format files, loads them onto a fresh copy, and unloads', async () => {
    const dir = await tempDir();
    const model = mlp(new Rng(1));
    const { xs, ys } = data(new Rng(2));
    // Compiled before LoRA is applied: the weights fit trains are refreshed.
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const lora = applyLora(
      model,
      { r: 2, loraAlpha: 4, targetModules: ['hidden'] },
      { rng: new Rng(3) },
    );
    const kernels = model.weights
      .filter((w) => w.originalName.endsWith('kernel'))
      .map((w) => w.read().clone());
    await model.fit(xs, ys, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
    const trainedKernels = model.weights
      .filter((w) => w.originalName.endsWith('kernel'))
      .map((w) => w.read());
    for (const [i, k] of kernels.entries())
      await expectClose(trainedKernels[i], k, { atol: 0, label: 'kernel' });
    expect(Math.max(...(await tf.abs(lora.adapters[0].loraB.read()).data()))).toBeGreaterThan(0);
    const trained = model.predict(xs) as tf.Tensor;

    await lora.savePretrained(dir);
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect([config.peft_type, config.r, config.lora_alpha, config.fan_in_fan_out]).toEqual([
      'LORA',
      2,
      4,
      true,
    ]);
    expect(config.target_modules).toEqual(['hidden']);
    const file = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    expect(file.keys()).toEqual([
      'base_model.model.hidden.lora_A.weight',
      'base_model.model.hidden.lora_B.weight',
    ]);
    expect([
      file.info('base_model.model.hidden.lora_A.weight').shape,
      file.info('base_model.model.hidden.lora_B.weight').shape,
    ]).toEqual([
      [2, 4],
      [8, 2],
    ]);
    await file.close();

    const copy = mlp(new Rng(1));
    const loaded = await LayersLoraModel.fromPretrained(copy, dir);
    expect(loaded.trainableWeights).toEqual([]);
    await expectClose(copy.predict(xs) as tf.Tensor, trained, {
      atol: 1e-5,
      label: 'loaded adapter',
    });

    const kernel = await matrix(lora.adapters[0].kernel.read());
    const a = await matrix(lora.adapters[0].loraA.read());
    const b = await matrix(lora.adapters[0].loraB.read());
    lora.merge();
    await expectClose(
      lora.adapters[0].kernel.read(),
      add(kernel, transpose(scale(matmul(b, a), lora.adapters[0].scaling))),
      {
        atol: 1e-6,
        label: 'merged kernel',
      },
    );
    await expectClose(model.predict(xs) as tf.Tensor, trained, {
      atol: 1e-5,
      label: 'merged model',
    });

    const plain = loaded.mergeAndUnload();
    expect(plain.weights.map((w) => w.originalName)).toEqual([
      'hidden/kernel',
      'hidden/bias',
      'out/kernel',
      'out/bias',
    ]);
    expect(plain.weights.every((w) => w.trainable)).toBe(true);
    await expectClose(plain.predict(xs) as tf.Tensor, trained, {
      atol: 1e-5,
      label: 'merged and unloaded',
    });
    tf.dispose([xs, ys, trained, ...kernels]);
    model.dispose();
    copy.dispose();
  });

  it('fails clearly on bad targets and unsupported options', () => {
    const model = mlp(new Rng(1));
    expect(() => applyLora(model, { targetModules: ['q_proj'] })).toThrow(
      /Target modules \["q_proj"\] not found[\s\S]*Dense layers of this model: hidden, out/,
    );
    const withDropout = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 3, inputShape: [2], name: 'd' }),
        tfl.layers.dropout({ rate: 0.1, name: 'drop' }),
      ],
    });
    expect(() => applyLora(withDropout, { targetModules: ['d', 'drop'] })).toThrow(
      /target layer 'drop' \(Dropout\) matches targetModules but is not a Dense layer/,
    );
    expect(withDropout.weights.every((w) => w.trainable)).toBe(true);
    expect(() => applyLora(model, { targetModules: ['hidden'], useDora: true })).toThrow(
      /useDora is not supported/,
    );
    model.dispose();
    withDropout.dispose();
  });
});
