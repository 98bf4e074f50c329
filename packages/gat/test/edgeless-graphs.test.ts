import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { GATConv, GATv2Conv } from '../src/index.js';

const IN = 5;
const OUT = 3;
const HEADS = 2;

describeBackends('sparse GAT layers on graphs without edges or nodes', () => {
  for (const [name, Layer] of [
    ['GATConv', GATConv],
    ['GATv2Conv', GATv2Conv],
  ] as const) {
    for (const concat of [true, false]) {
      const make = (addSelfLoops: boolean) => {
        const layer = new Layer({
          inChannels: IN,
          outChannels: OUT,
          heads: HEADS,
          concat,
          addSelfLoops,
        });
        // A non-zero bias, so "the output is the bias" cannot pass by accident.
        const bias = layer.bias as tf.Variable;
        tf.tidy(() => bias.assign(tf.range(1, bias.shape[0] + 1, 1, 'float32')));
        return layer;
      };
      const width = concat ? HEADS * OUT : OUT;

      it(`${name} (concat ${concat}): no edges gives every node the bias, as PyG`, async () => {
        const layer = make(false);
        const x = tf.randomNormal([4, IN], 0, 1, 'float32', 1);
        await expectNoLeaks(async () => {
          const [y, [used, alpha]] = layer.forward(x, [[], []], { returnAttentionWeights: true });
          expect(y.shape).toEqual([4, width]);
          expect(used.shape).toEqual([2, 0]);
          expect(alpha.shape).toEqual([0, HEADS]);
          const expected = tf.tidy(() =>
            tf.tile(tf.reshape(layer.bias as tf.Tensor, [1, width]), [4, 1]),
          );
          await expectClose(y, expected, { atol: 0, label: 'output' });
          tf.dispose([y, used, alpha, expected]);
          // Only the bias receives a gradient: each node's output is the bias.
          const { value, grads } = tf.variableGrads(
            () => tf.sum(layer.forward(x, [[], []])),
            [layer.bias as tf.Variable],
          );
          const four = tf.fill([width], 4);
          await expectClose(grads[(layer.bias as tf.Variable).name], four, {
            atol: 0,
            label: 'bias gradient',
          });
          tf.dispose([value, four, ...Object.values(grads)]);
        });
        x.dispose();
        layer.dispose();
      });

      it(`${name} (concat ${concat}): no nodes gives [0, ${width}]`, async () => {
        for (const addSelfLoops of [false, true]) {
          const layer = make(addSelfLoops);
          const x = tf.zeros([0, IN]);
          await expectNoLeaks(async () => {
            const y = layer.forward(x, [[], []]);
            expect(y.shape).toEqual([0, width]);
            expect(await y.data()).toHaveLength(0);
            y.dispose();
          });
          x.dispose();
          layer.dispose();
        }
      });

      it(`${name} (concat ${concat}): self loops only equal added self loops`, async () => {
        const given = make(false);
        const added = make(true);
        added.loadStateDict(given.stateDict());
        const x = tf.randomNormal([3, IN], 0, 1, 'float32', 2);
        const loops = [
          [0, 1, 2],
          [0, 1, 2],
        ];
        const a = given.forward(x, loops);
        const b = added.forward(x, [[], []]);
        await expectClose(a, b, { atol: 1e-6, label: 'self loops' });
        tf.dispose([a, b, x]);
        given.dispose();
        added.dispose();
      });
    }
  }
});
