// Case 4b: learnable-gpt's GraphAttentionLayer (dense causal GAT, 12 heads, projection, fusion),
// forward and backward (input and every parameter) on 8 x 128 x 768, train mode.
import { Rng } from '@lgpt/core';
import { GraphAttentionLayer } from '@lgpt/gat';
import * as tf from '@tensorflow/tfjs-core';
import { args, report, setup, timeRuns } from './common.mjs';
import { gatFusionFlops } from './flops.mjs';

await setup();
const [batch, length, hidden] = [8, 128, 768];
const layer = new GraphAttentionLayer({
  hiddenSize: hidden,
  numAttentionHeads: 12,
  rng: new Rng(0),
});
layer.train();
const x = tf.variable(new Rng(1).normalTensor([batch, length, hidden]));

// A short case: more runs for a steadier median.
const time = await timeRuns(
  async () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.forward(x)));
    tf.dispose([value, ...Object.values(grads)]);
  },
  { runs: args.quick ? 3 : 7 },
);
report({ case: 'gat-fusion', ...time, flops: gatFusionFlops(batch, length, hidden) });
