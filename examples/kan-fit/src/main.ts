import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { initBackend, manualSeed, Rng } from '@lgpt/core';
import { KAN } from '@lgpt/kan';
import * as tf from '@tensorflow/tfjs-core';
import { decompositionError, type EdgeCurve, edgeCurves, layerInputs } from './edge-curves.js';
import { buildFigure, type Heatmaps, nodeNames } from './figure.js';
import { assertOutputsFree, type Options, OUTPUT_NAMES, parseOptions } from './options.js';
import { toPng } from './png.js';
import { toSvg } from './svg.js';
import { disposeSamples, samples, TARGET_FORMULA, target } from './target.js';
import { mse, train } from './train.js';

const TRAIN_POINTS = 1000;
const TEST_POINTS = 1000;
const HEATMAP_RESOLUTION = 40;

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
  manualSeed(opts.seed); // the KAN's initial weights
  const rng = new Rng(opts.seed + 1); // the data
  const trainSet = samples(TRAIN_POINTS, rng);
  const testSet = samples(TEST_POINTS, rng);
  const kan = new KAN({ layersHidden: [2, opts.width, 1], gridSize: opts.grid });
  const size = kan.parameters().reduce((n, p) => n + p.size, 0);
  console.log(
    `KAN [2, ${opts.width}, 1], grid ${opts.grid} (${size} parameters) fitting f(x, y) = ${TARGET_FORMULA} on ${TRAIN_POINTS} points, backend ${tf.getBackend()}`,
  );

  const trainLoss = await train(kan, trainSet, {
    steps: opts.steps,
    learningRate: 0.01,
    gridUpdateEvery: 100,
  });
  const testRmse = Math.sqrt(await readScalar(mse(kan.forward(testSet.inputs), testSet.values)));
  console.log(
    `train RMSE ${Math.sqrt(trainLoss).toPrecision(3)}, test RMSE ${testRmse.toPrecision(3)} (f ranges over ${Math.exp(-1).toFixed(2)}…${Math.exp(2).toFixed(2)})`,
  );

  const activations = layerInputs(kan, trainSet.inputs);
  const curves = await edgeCurves(kan, activations);
  const gap = await decompositionError(kan, activations);
  activations.dispose();
  // Float rounding only; anything larger means the picture would not show this network.
  if (!(gap <= 1e-4)) throw new Error(`the edge curves miss the layer outputs by ${gap}`);
  console.log(
    `the drawn curves add up to the network's outputs (largest difference ${gap.toExponential(1)})`,
  );
  printStrongestEdges(curves, nodeNames(opts.width));

  const scene = buildFigure({
    title: `A KAN [2, ${opts.width}, 1] fitted to f(x, y) = ${TARGET_FORMULA}`,
    subtitle: `${opts.steps} Adam steps on ${TRAIN_POINTS} points, test RMSE ${testRmse.toPrecision(3)}. Each small plot is one edge's learned φ over the inputs it sees; opacity = importance.`,
    hidden: opts.width,
    curves,
    heatmaps: await heatmaps(kan),
  });
  await mkdir(opts.outDir, { recursive: true });
  const [svgPath, pngPath] = OUTPUT_NAMES.map((name) => join(opts.outDir, name));
  await writeFile(svgPath, toSvg(scene));
  await writeFile(pngPath, toPng(scene));
  console.log(`wrote ${shown(svgPath)} and ${shown(pngPath)} (the PNG without the labels)`);

  kan.dispose();
  disposeSamples(trainSet);
  disposeSamples(testSet);
}

/** The KAN paper reads the formula off the strongest edges: sin-like from x, parabolas from y, exp-like into f. */
function printStrongestEdges(curves: EdgeCurve[], names: string[][]): void {
  for (const layer of [0, 1]) {
    const top = curves
      .filter((c) => c.layer === layer)
      .sort((a, b) => b.importance - a.importance)
      .slice(0, 3)
      .map((c) => `${names[layer][c.from]}→${names[layer + 1][c.to]} ${c.importance.toFixed(2)}`);
    console.log(`layer ${layer + 1} strongest edges: ${top.join(', ')}`);
  }
}

/** The target and the KAN on a grid over [-1, 1]², top row y = 1. */
async function heatmaps(kan: KAN): Promise<Heatmaps> {
  const r = HEATMAP_RESOLUTION;
  const points = new Float32Array(r * r * 2);
  const values = new Float32Array(r * r);
  for (let row = 0; row < r; row++) {
    for (let col = 0; col < r; col++) {
      const [x, y] = [-1 + (2 * (col + 0.5)) / r, 1 - (2 * (row + 0.5)) / r];
      points.set([x, y], (row * r + col) * 2);
      values[row * r + col] = target(x, y);
    }
  }
  const inputs = tf.tensor2d(points, [r * r, 2]);
  const fit = kan.forward(inputs);
  const fitValues = (await fit.data()) as Float32Array;
  tf.dispose([inputs, fit]);
  return { resolution: r, target: values, fit: fitValues };
}

/** A path relative to where the command was run, unless it lies outside that folder. */
function shown(path: string): string {
  const rel = relative(process.env.INIT_CWD ?? process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

async function readScalar(t: tf.Tensor): Promise<number> {
  const value = (await t.data())[0];
  t.dispose();
  return value;
}
