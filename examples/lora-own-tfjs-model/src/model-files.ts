import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * tfjs-layers models in the `model.json` + binary weights layout that `model.save('file://…')`
 * (tfjs-node) and `tensorflowjs_converter --output_format tfjs_layers_model` write. Only
 * tfjs-node registers `file://`, so this example reads and writes the files itself.
 */
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

export async function loadModelDir(dir: string): Promise<tfl.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  if (!existsSync(jsonPath)) {
    throw new Error(`--model ${dir}: no ${MODEL_JSON} there (expected a tfjs-layers model folder)`);
  }
  const modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  if (!modelJson.modelTopology || !modelJson.weightsManifest) {
    throw new Error(
      `${jsonPath}: not a tfjs-layers model (needs modelTopology and weightsManifest)`,
    );
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const shards = await Promise.all(
      manifest.flatMap((group) => group.paths).map((path) => readFile(join(dir, path))),
    );
    const bytes = Buffer.concat(shards);
    return [specs, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
  });
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Writes `model.json` and `weights.bin`; existing files are only replaced with `overwrite`. */
export async function saveModelDir(
  model: tfl.LayersModel,
  dir: string,
  overwrite: boolean,
): Promise<void> {
  const jsonPath = join(dir, MODEL_JSON);
  if (!overwrite && existsSync(jsonPath)) {
    throw new Error(`${jsonPath} already exists: pass --overwrite to replace it, or --out <dir>`);
  }
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const bytes = Buffer.concat(
        (Array.isArray(weightData) ? weightData : [weightData]).map((b) => Buffer.from(b)),
      );
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      await mkdir(dirname(jsonPath), { recursive: true });
      await writeFile(join(dir, WEIGHTS_BIN), bytes);
      await writeFile(jsonPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
