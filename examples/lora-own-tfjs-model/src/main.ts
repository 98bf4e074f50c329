import { relative } from 'node:path';
import { initBackend, manualSeed, Rng } from '@lgpt/core';
import { applyLora, LayersLoraModel } from '@lgpt/lora/layers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BASE_FEATURES, buildBaseModel, pretrain } from './base-model.js';
import { disposeDataset, pretrainingTask, shiftedTask } from './data.js';
import { fitWithProgress } from './fit.js';
import { largestChange, snapshotWeights } from './frozen-weights.js';
import { loadModelDir, saveModelDir } from './model-files.js';
import {
  adapterDir,
  assertOutputsFree,
  baseModelDir,
  type Options,
  parseOptions,
} from './options.js';

const TRAIN_ROWS = 2048;
const EVAL_ROWS = 512;

try {
  const options = parseOptions(process.argv.slice(2));
  if (options) await main(options);
} catch (error) {
  // Only the message: left uncaught, tfjs-backend-wasm's rejection handler would print its own
  // minified source instead.
  console.error(`error: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}

async function main(opts: Options): Promise<void> {
  assertOutputsFree(opts);
  await initBackend(opts.backend);
  manualSeed(opts.seed); // the adapters' initial lora_A
  const rng = new Rng(opts.seed + 1); // the data

  // 1. The model you already have.
  const sourceDir = opts.modelDir ?? baseModelDir(opts);
  let model: tfl.LayersModel;
  if (opts.modelDir) {
    model = await loadModelDir(opts.modelDir);
    console.log(`loaded ${shown(opts.modelDir)}`);
  } else {
    model = buildBaseModel(opts.seed);
    const original = pretrainingTask(TRAIN_ROWS, BASE_FEATURES, rng);
    const loss = await pretrain(model, original, 20);
    disposeDataset(original);
    await saveModelDir(model, sourceDir, opts.overwrite);
    console.log(
      `base model trained on its original task (loss ${loss.toFixed(4)}), saved to ${shown(sourceDir)}`,
    );
  }
  console.log(`model '${model.name}' on ${tf.getBackend()}: ${describeLayers(model)}`);

  // 2. A new task the base model does not fit.
  const shape = ioShape(model);
  const predict = (x: tf.Tensor2D) => model.predict(x) as tf.Tensor2D;
  const { train, evaluation } = shiftedTask(predict, shape, [TRAIN_ROWS, EVAL_ROWS], rng);
  const before = await evalLoss(model, evaluation);

  // 3. LoRA on the Dense layers: every existing weight is frozen, only lora_A / lora_B train.
  const frozen = await snapshotWeights(model);
  const config = { r: opts.rank, loraAlpha: 2 * opts.rank, targetModules: opts.targets };
  const lora = applyLora(model, config);
  console.log(`LoRA r=${opts.rank} on ${lora.adapters.map((a) => a.path).join(', ')}`);
  lora.printTrainableParameters();
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
  await fitWithProgress(model, train, { epochs: opts.epochs, batchSize: 64, label: 'lora' });
  const after = await evalLoss(model, evaluation);
  console.log(
    `held-out loss on the new task: ${before.toFixed(4)} before LoRA → ${after.toFixed(4)} after`,
  );
  const moved = await largestChange(frozen);
  console.log(
    `base weights (${frozen.length} kernels and biases) after training: largest change ${moved}`,
  );
  if (moved !== 0)
    throw new Error(`a frozen base weight changed by ${moved}: only the adapters may train`);

  // 4. Save the adapter (PEFT's files), reload it onto a fresh copy of the base model.
  const savedTo = adapterDir(opts);
  await lora.savePretrained(savedTo, { overwrite: opts.overwrite });
  console.log(
    `adapter saved to ${shown(savedTo)} (adapter_config.json, adapter_model.safetensors)`,
  );
  const fresh = await loadModelDir(sourceDir);
  const reloaded = await LayersLoraModel.fromPretrained(fresh, savedTo);
  const reloadGap = await largestGap(model, fresh, evaluation.x);
  expectMatch(`reloaded onto a fresh copy of ${shown(sourceDir)}`, reloadGap, 1e-6);
  reloaded.mergeAndUnload();
  expectMatch(
    'merged into plain Dense kernels',
    await largestGap(model, fresh, evaluation.x),
    1e-4,
  );

  disposeDataset(train);
  disposeDataset(evaluation);
  model.dispose();
  fresh.dispose();
}

function describeLayers(model: tfl.LayersModel): string {
  return model.layers
    .map((l) => `${l.name} (${l.getClassName()}, ${l.countParams()} params)`)
    .join(', ');
}

/** `[in, out]` of a model with one `[batch, in]` input and one `[batch, out]` output. */
function ioShape(model: tfl.LayersModel): [number, number] {
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  if (
    model.inputs.length !== 1 ||
    model.outputs.length !== 1 ||
    input?.length !== 2 ||
    output?.length !== 2
  ) {
    throw new Error(
      `this example needs one input [batch, features] and one output [batch, units]; the model has inputs ${JSON.stringify(model.inputs.map((i) => i.shape))} and outputs ${JSON.stringify(model.outputs.map((o) => o.shape))}`,
    );
  }
  return [input[1] as number, output[1] as number];
}

async function evalLoss(
  model: tfl.LayersModel,
  data: { x: tf.Tensor2D; y: tf.Tensor2D },
): Promise<number> {
  const loss = tf.tidy(() =>
    tf.losses.meanSquaredError(data.y, model.predict(data.x) as tf.Tensor),
  );
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

async function largestGap(a: tfl.LayersModel, b: tfl.LayersModel, x: tf.Tensor2D): Promise<number> {
  const gap = tf.tidy(() =>
    tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))),
  );
  const value = (await gap.data())[0];
  gap.dispose();
  return value;
}

/** Prints a prediction comparison; a gap past `tolerance` (float rounding) is an error. */
function expectMatch(what: string, gap: number, tolerance: number): void {
  if (!(gap <= tolerance)) {
    throw new Error(`${what}: predictions differ by ${gap} (more than ${tolerance})`);
  }
  console.log(`${what}: predictions match (largest difference ${gap.toExponential(1)})`);
}

/** A path relative to where the command was run, unless it lies outside that folder. */
function shown(path: string): string {
  const rel = relative(process.env.INIT_CWD ?? process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
