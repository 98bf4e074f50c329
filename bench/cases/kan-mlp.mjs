// A KAN in place of GPT-2 small's MLP, 768 -> 3072 -> 768 (grid 5, cubic), forward and backward
// (input and every parameter) on 8 x 128 tokens, with the fused B-spline kernel or, with
// --composite, the composite of tfjs ops; plus tfjs's peak bytes during one step.
import { parseArgs } from 'node:util';
import { Rng } from '@lgpt/core';
import { KAN } from '@lgpt/kan';
import * as tf from '@tensorflow/tfjs-core';
import { report, setup, timeRuns } from './common.mjs';
import { kanLinearFlops } from './flops.mjs';

const { values } = parseArgs({ options: { composite: { type: 'boolean' } }, strict: false });
const fused = !values.composite;
await setup();
const [tokens, hidden, inner] = [8 * 128, 768, 3072];
const kan = new KAN({ layersHidden: [hidden, inner, hidden], fused, rng: new Rng(0) });
const x = tf.variable(new Rng(1).uniform([tokens, hidden], -1, 1));

const step = () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(kan.forward(x)));
  tf.dispose([value, ...Object.values(grads)]);
};
const time = await timeRuns(step);
const startBytes = tf.memory().numBytes;
const profile = await tf.profile(step);
report({
  case: fused ? 'kan-mlp' : 'kan-mlp-composite',
  ...time,
  flops: kanLinearFlops(tokens, hidden, inner) + kanLinearFlops(tokens, inner, hidden),
  weight_bytes: kan.parameters().reduce((n, p) => n + p.size * 4, 0),
  peak_tf_bytes: profile.peakBytes,
  peak_step_bytes: profile.peakBytes - startBytes,
});
