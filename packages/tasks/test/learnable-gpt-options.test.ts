import { readSafetensors } from '@lgpt/core';
import { describeBackends } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LearnableGptRun } from '../src/index.js';
import { seedFixturePath, seedGolden } from './support/seed-fixtures.js';

const golden = seedGolden();
const { checkpoint } = golden;
const config = {
  vocabSize: checkpoint.vocab_size,
  nPositions: checkpoint.n_positions,
  nEmbd: checkpoint.n_embd,
  nLayer: checkpoint.n_layer,
  nHead: checkpoint.n_head,
};

describeBackends(
  'LearnableGptRun options and errors',
  () => {
    let lorakan: Record<string, tf.Tensor>;
    let graph: Record<string, tf.Tensor>;
    beforeAll(async () => {
      lorakan = await readSafetensors(
        seedFixturePath(golden.fixtures['sonnet.lorakan'].files.init),
      );
      graph = await readSafetensors(seedFixturePath(golden.fixtures['sonnet.graph'].files.init));
    });
    afterAll(() => tf.dispose([...Object.values(lorakan), ...Object.values(graph)]));

    it("accepts lgpt's spelling kan-lora and returns every key with the seed's dtypes", () => {
      const run = LearnableGptRun.fromSeedStateDict('sonnet', 'kan-lora', lorakan, { config });
      expect(run.variant).toBe('lorakan');
      const saved = run.seedStateDict();
      expect(saved['gpt.position_ids'].dtype).toBe('int32');
      expect(Object.keys(saved).sort()).toEqual(Object.keys(lorakan).sort());
      tf.dispose(Object.values(saved));
      run.dispose();
    });

    it('reads the sizes from the state dict; the head count needs a config unless a GAT shows it', () => {
      const run = LearnableGptRun.fromSeedStateDict('sonnet', 'graph', graph);
      expect(run.trainableNames()).toEqual(golden.fixtures['sonnet.graph'].trainable.names);
      run.dispose();
      expect(() => LearnableGptRun.fromSeedStateDict('sonnet', 'lorakan', lorakan)).toThrow(
        /options.config is needed/,
      );
    });

    it('names what does not fit: variant, keys, fine-tune mode, dropout', () => {
      expect(() =>
        LearnableGptRun.fromSeedStateDict('sonnet', 'graph-lora' as 'graph', graph, { config }),
      ).toThrow(/unknown learnable-gpt variant 'graph-lora'/);
      expect(() => LearnableGptRun.fromSeedStateDict('sonnet', 'base', graph, { config })).toThrow(
        /unexpected keys: gpt\.gpt_layers\.0\.graph_attention/,
      );
      expect(() =>
        LearnableGptRun.fromSeedStateDict('sonnet', 'graph', graph, {
          config,
          fineTuneMode: 'last-linear-layer',
        }),
      ).toThrow(/fineTuneMode 'last-linear-layer' .*allowed: full-model/);
      expect(() =>
        LearnableGptRun.fromSeedStateDict('sonnet', 'graph', graph, { config, dropout: 1 }),
      ).toThrow(/dropout must be 'original' or a number in \[0, 1\)/);
    });
  },
  { only: ['cpu'] },
);
