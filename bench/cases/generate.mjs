// Case 3: KV-cache greedy generation, 1 x 32-token prompt, 128 new tokens (never stopping early).
import { GPT2LMHeadModel, gpt2Preset } from '@lgpt/gpt2';
import { randomIds, report, setup, timeRuns } from './common.mjs';
import { gpt2GenerateFlops } from './flops.mjs';

await setup();
const NEW = 128;
const model = new GPT2LMHeadModel(gpt2Preset('gpt2')).eval();
const promptTensor = randomIds(1, 32, model.config.vocabSize);
const prompt = await promptTensor.array();
promptTensor.dispose();

const time = await timeRuns(
  async () => {
    const [row] = await model.generate(prompt, { maxNewTokens: NEW, eosTokenId: null });
    if (row.length !== prompt[0].length + NEW) {
      throw new Error(`generated ${row.length - prompt[0].length} tokens, expected ${NEW}`);
    }
  },
  { runs: 1 },
);
report({
  case: 'generate',
  ...time,
  tokens_per_s: (NEW * 1000) / time.ms,
  flops: gpt2GenerateFlops(model.config, prompt[0].length, NEW),
});
