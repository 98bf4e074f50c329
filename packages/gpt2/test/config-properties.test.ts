import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GPT2Config } from '../src/index.js';

// Property-based: fast-check prints the seed and the shrunk counterexample when one fails.
const NUM_RUNS = 1000;

const SIZE_KEYS = ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head', 'n_inner'];
const RATE_KEYS = [
  'resid_pdrop',
  'embd_pdrop',
  'attn_pdrop',
  'hidden_dropout_prob',
  'hidden_hybrid_dropout_prob',
  'layer_norm_epsilon',
  'initializer_range',
];
const FLAG_KEYS = [
  'scale_attn_weights',
  'scale_attn_by_inverse_layer_idx',
  'reorder_and_upcast_attn',
  'tie_word_embeddings',
  'use_kan',
  'use_lora',
  'use_graph',
];

/** Values a config.json key might hold: plausible ones, edge cases and any JSON at all. */
const size = fc.oneof(
  fc.integer({ min: -2, max: 64 }),
  fc.constantFrom(1e12, 2 ** 31, 0.5, 768, 1024, 50257),
  fc.jsonValue(),
);
const rate = fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.jsonValue());
const flag = fc.oneof(fc.boolean(), fc.jsonValue());
const tokenId = fc.oneof(fc.integer({ min: -1, max: 100 }), fc.constant(null), fc.jsonValue());

const record = <T>(keys: string[], value: fc.Arbitrary<T>) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] });

const configJson = fc
  .tuple(
    record(SIZE_KEYS, size),
    record(RATE_KEYS, rate),
    record(FLAG_KEYS, flag),
    record(['bos_token_id', 'eos_token_id', 'pad_token_id'], tokenId),
    record(
      ['activation_function'],
      fc.oneof(fc.constantFrom('gelu_new', 'relu', 'swish'), fc.jsonValue()),
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }),
  )
  .map((parts) => Object.assign({}, ...parts.reverse()) as Record<string, unknown>);

describe('GPT2Config.fromJSON properties', () => {
  it('any JSON gives a valid config that round-trips, or an error naming config.json', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(configJson, fc.jsonValue()), (json) => {
        let config: GPT2Config;
        try {
          config = GPT2Config.fromJSON(json as Record<string, unknown>, 'ckpt/config.json');
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/^ckpt\/config\.json: \S/);
          return;
        }
        valid++;
        for (const n of [
          config.vocabSize,
          config.nPositions,
          config.nEmbd,
          config.nLayer,
          config.nHead,
        ]) {
          expect(Number.isInteger(n) && n > 0).toBe(true);
        }
        expect(config.nEmbd % config.nHead).toBe(0);
        expect(config.vocabSize * config.nEmbd).toBeLessThan(2 ** 31);
        // Compared as JSON text: the file is text, and JSON has no -0 to keep.
        const written = JSON.stringify(config.toJSON());
        expect(JSON.stringify(GPT2Config.fromJSON(JSON.parse(written)).toJSON())).toBe(written);
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator must reach both branches, or the property proves little.
    expect(valid).toBeGreaterThan(NUM_RUNS / 50);
  });
});
