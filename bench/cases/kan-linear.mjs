// Case 4a: efficient-kan's KANLinear 768 -> 3072 (grid 5, cubic), forward and backward (input and
// every parameter) on 1024 rows.
import { Rng } from '@lgpt/core';
import { KANLinear } from '@lgpt/kan';
import * as tf from '@tensorflow/tfjs-core';
import { report, setup, timeRuns } from './common.mjs';
import { kanLinearFlops } from './flops.mjs';

await setup();
const [rows, inFeatures, outFeatures] = [1024, 768, 3072];
const layer = new KANLinear({ inFeatures, outFeatures, rng: new Rng(0) });
const x = tf.variable(new Rng(1).uniform([rows, inFeatures], -1, 1));

const time = await timeRuns(async () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(layer.forward(x)));
  tf.dispose([value, ...Object.values(grads)]);
});
report({ case: 'kan-linear', ...time, flops: kanLinearFlops(rows, inFeatures, outFeatures) });
