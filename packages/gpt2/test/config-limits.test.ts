import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPT2Config, GPT2LMHeadModel } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';

describe('config.json sizes beyond what a tensor can hold', () => {
  it('vocab_size 1e12 is a RangeError naming config.json and the key', () => {
    const error = (() => {
      try {
        GPT2Config.fromJSON({ vocab_size: 1e12, n_embd: 768 }, 'ckpt/config.json');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(
      /^ckpt\/config\.json: vocab_size × n_embd \(wte\) is 7\.680e\+14 elements, more than one tensor can hold/,
    );
  });

  it('an n_positions whose causal mask could not be allocated names the key', () => {
    expect(() => GPT2Config.fromJSON({ n_positions: 100_000 })).toThrow(
      /config\.json: n_positions² \(the causal mask\) is 1\.000e\+10 elements/,
    );
  });
});

describeBackends('a config that does not fit its checkpoint', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgpt-config-limits-'));
    cpSync(MODEL_DIR, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused from the checkpoint header, before the model (and its n_positions² mask) is built', async () => {
    const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8'));
    // 16k positions: the causal mask alone would be 1 GiB of float32.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, n_positions: 16_384 }));
    const before = tf.memory().numTensors;
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(
      new RegExp(
        `model\\.safetensors does not fit its config:\\n  (transformer\\.)?wpe\\.weight is \\[${config.n_positions}, ${config.n_embd}\\] but config\\.json \\(n_positions, n_embd\\) makes it \\[16384, ${config.n_embd}\\]`,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
