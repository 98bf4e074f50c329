import { rm } from 'node:fs/promises';
import { describeBackends } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AdamW,
  applyFineTuneMode,
  defaultFineTuneMode,
  loadModel,
  SentimentClassifier,
  VARIANT_NAMES,
  type VariantName,
} from '../src/index.js';
import { fixtureCheckpoint } from './support/fixture-model.js';

/** What each variant must train (with its default fine-tune mode), besides the classifier. */
const TRAINABLE: Record<VariantName, RegExp> = {
  base: /^gpt\./,
  lora: /^gpt\.transformer\.h\.\d+\.mlp\.c_(fc|proj)\.lora_[AB]\.default\.weight$/,
  kan: /^gpt\./,
  'kan-lora': /^gpt\.transformer\.h\.\d+\.mlp\.kan\.layers\.[01]\.lora_[AB]\.default\.weight$/,
  graph: /^gpt\./,
  'graph-lora':
    /^gpt\.transformer\.h\.\d+\.(mlp\.c_(fc|proj)\.lora_[AB]\.default\.weight|graph\.modules_to_save\.default\..+)$/,
};

const rows = [
  [5, 17, 300, 42, 999, 7],
  [1, 2, 3, 4, 5, 6],
  [40, 41, 42, 43, 44, 45],
  [9, 8, 7, 6, 5, 4],
];
const labels = [0, 1, 1, 0];

describeBackends('every variant trains the parameters it should, and only those', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fixtureCheckpoint();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const variant of VARIANT_NAMES) {
    it(variant, async () => {
      const loaded = await loadModel({ model: dir, variant, seed: 3 });
      applyFineTuneMode(loaded.lm, defaultFineTuneMode(loaded.peft !== null), loaded.peft !== null);
      const head = new SentimentClassifier(loaded.lm, { numLabels: 2, dropoutProb: 0 });
      head.train();
      const trainable = new Set(head.namedParameters({ trainableOnly: true }).map(([n]) => n));
      for (const name of trainable) {
        if (!name.startsWith('classifier.')) expect(name, variant).toMatch(TRAINABLE[variant]);
      }
      const before = new Map(
        await Promise.all(
          head.namedParameters().map(async ([n, p]) => [n, await p.data()] as const),
        ),
      );
      const inputIds = tf.tensor2d(rows, undefined, 'int32');
      const mask = tf.onesLike(inputIds) as tf.Tensor2D;
      const target = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
      const loss = () =>
        tf.tidy(() =>
          tf.losses.softmaxCrossEntropy(target, head.forward(inputIds as tf.Tensor2D, mask)),
        ) as tf.Scalar;
      const optimizer = new AdamW({ lr: 3e-3 });
      const vars = head.parameters({ trainableOnly: true });
      const losses: number[] = [];
      for (let step = 0; step < 8; step++) {
        const value = optimizer.minimize(loss, true, vars)!;
        losses.push((await value.data())[0]);
        value.dispose();
        // Two steps: LoRA's A gets no gradient in the first (B starts at zero), as in PEFT.
        if (step === 1) {
          for (const [name, p] of head.namedParameters()) {
            const now = await p.data();
            const changed = now.some((v, i) => v !== before.get(name)![i]);
            expect(
              changed,
              `${variant}: ${name} ${trainable.has(name) ? 'should' : 'should not'} change`,
            ).toBe(trainable.has(name));
          }
        }
      }
      expect(losses.at(-1)!, `${variant} losses ${losses.map((l) => l.toFixed(3))}`).toBeLessThan(
        losses[0],
      );
      // AdamW holds moments for the trainable parameters only (frozen ones got no gradient).
      const state = optimizer.stateDict(head.namedParameters());
      const withState = new Set(
        Object.keys(state)
          .filter((k) => k !== 'iter')
          .map((k) => k.replace(/\/(exp_avg|exp_avg_sq|step)$/, '')),
      );
      expect([...withState].sort()).toEqual([...trainable].sort());
      tf.dispose(Object.values(state));
      tf.dispose([inputIds, mask, target]);
      optimizer.dispose();
      head.dispose();
    });
  }
});
